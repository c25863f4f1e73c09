/**
 * Fill the Slack app manifest template: `${{PUBLIC_URL}}` becomes the public base URL. With Socket Mode the
 * request URLs are dropped (Slack then delivers over the WebSocket). Usage:
 *   PUBLIC_URL=https://bubbelbreker.gemeente.nl npx tsx manifests/slack/render.ts > slack-manifest.json
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { loadPackagingConfig } from '../../src/config.js';
import { type CommandMenus, productCommandMenus } from '../../src/features/menu.js';

export const SLACK_MANIFEST_TEMPLATE = new URL('./manifest.json', import.meta.url);

export interface SlackManifestOptions {
  /** The public base URL, e.g. https://bubbelbreker.gemeente.nl (no trailing slash needed). */
  publicUrl?: string;
  socketMode?: boolean;
  /** The command menus of the route table: the slash command's usage hint lists the personal one. */
  commands?: CommandMenus;
}

/** The slash command's usage hint: the commands everyone may use, as they are typed after /bubbelbreker. */
export function usageHint(commands: CommandMenus): string {
  return commands.personal.map((c) => c.title).join(' | ');
}

interface TemplateShape extends Record<string, unknown> {
  settings: {
    socket_mode_enabled: boolean;
    event_subscriptions: { request_url?: string };
    interactivity: { request_url?: string };
  };
  features: { slash_commands: { url?: string; usage_hint?: string }[] };
}

/** The manifest as JSON, ready to paste into "Create an app → From a manifest". */
export function renderSlackManifest(options: SlackManifestOptions = {}): Record<string, unknown> {
  const publicUrl = (options.publicUrl ?? 'https://example.org').replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s"]+$/.test(publicUrl))
    throw new Error('PUBLIC_URL must be a full URL such as https://example.org');
  const text = readFileSync(SLACK_MANIFEST_TEMPLATE, 'utf8').replaceAll('${{PUBLIC_URL}}', publicUrl);
  const unknown = text.match(/\$\{\{[A-Z_]+\}\}/);
  if (unknown) throw new Error(`manifest template has an unfilled placeholder ${unknown[0]}`);
  // The template's shape is checked against the schema generated from @slack/web-api's Manifest (manifest.test.ts).
  const manifest = JSON.parse(text) as TemplateShape;
  if (options.commands)
    for (const command of manifest.features.slash_commands) command.usage_hint = usageHint(options.commands);
  if (options.socketMode) {
    manifest.settings.socket_mode_enabled = true;
    delete manifest.settings.event_subscriptions.request_url;
    delete manifest.settings.interactivity.request_url;
    for (const command of manifest.features.slash_commands) delete command.url;
  }
  return manifest;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(
    `${JSON.stringify(renderSlackManifest({ publicUrl: process.env.PUBLIC_URL, socketMode: process.env.SLACK_APP_TOKEN !== undefined, commands: productCommandMenus(loadPackagingConfig()) }), null, 2)}\n`,
  );
}
