/**
 * What the code serves, so the manifest can be checked against it (test/adapters/slack/manifest.test.ts).
 */

/** HTTP routes on the shared server. Events API, interactivity and slash commands all arrive at `events`. */
export const SLACK_ROUTES = {
  events: '/slack/events',
  install: '/slack/install',
  oauthRedirect: '/slack/oauth_redirect',
} as const;

/** The one slash command; its subcommands are the core's commands (checkin, leer, help, taal, …). */
export const SLASH_COMMAND = '/bubbelbreker';

/** Bot events the adapter handles (manifest names: message.im is the `message` event in 1:1 chats). */
export const BOT_EVENTS = [
  'app_home_opened',
  'app_mention',
  'app_uninstalled',
  'message.im',
  'tokens_revoked',
] as const;

/**
 * The fewest bot scopes that work: read mentions, read and open 1:1 chats, post, the slash command, and
 * chat:write.public so an announcement can go to a public channel the bot was not invited to. No channel history,
 * no user profiles (the language is Dutch until the person picks English), no user tokens.
 */
export const BOT_SCOPES = [
  'app_mentions:read',
  'chat:write',
  'chat:write.public',
  'commands',
  'im:history',
  'im:write',
] as const;
