/**
 * Loads botbuilder and teams-ai on demand. Importing them costs about a second of CPU, so the
 * server mounts its route first and this import runs in the background; requests that arrive earlier wait.
 * Only teams-ai's Application and TeamsAdapter modules are loaded, not its index, which also pulls in openai and
 * a tokenizer that Bubbelbreker never uses.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Activity, InvokeResponse, TurnContext } from 'botbuilder';
import type { AdaptiveCard } from '@microsoft/teams-ai/lib/AdaptiveCards.js';
import type { Logger } from '../../src/core/index.js';
import type { BotAuthSettings } from './auth.js';
import { CARD_VERB } from './types.js';

type ApplicationModule = typeof import('@microsoft/teams-ai/lib/Application.js');
type TeamsAdapterModule = typeof import('@microsoft/teams-ai/lib/TeamsAdapter.js');

/**
 * TeamsAdapter plus a public door to its (protected) processActivity for an activity whose token we checked
 * ourselves (token-validator.ts): botbuilder runs the turn without a token check of its own.
 */
export type TeamsAdapterInstance = InstanceType<TeamsAdapterModule['TeamsAdapter']> & {
  processChecked(
    activity: Activity,
    claims: Record<string, unknown> | undefined,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined>;
};

export type ApplicationInstance = InstanceType<ApplicationModule['Application']>;

/** The audience of the bot's outbound calls, and the caller id botbuilder gives activities from the public cloud. */
const BOT_FRAMEWORK_AUDIENCE = 'https://api.botframework.com';
const PUBLIC_AZURE_CALLER = 'urn:botframework:azure';

/**
 * botbuilder wants a connector client per turn; ours are never used for sending (outbox.ts sends everything), so
 * the turn gets one that refuses, instead of building an @azure/core-client pipeline per request for nothing.
 */
const refuseSend = () =>
  Promise.reject(new Error('the Teams adapter sends through its own connector client (outbox.ts)'));
const NO_CONNECTOR = {
  conversations: {
    sendToConversation: refuseSend,
    replyToActivity: refuseSend,
    updateActivity: refuseSend,
    deleteActivity: refuseSend,
    createConversation: refuseSend,
  },
};
const NO_CONNECTOR_FACTORY = { create: async () => NO_CONNECTOR };
/** Likewise a user-token client (for user sign-in, which Bubbelbreker never asks for), built per turn otherwise. */
const refuseUserToken = () => Promise.reject(new Error('user sign-in is not used by Bubbelbreker'));
const NO_USER_TOKENS = {
  getUserToken: refuseUserToken,
  getSignInResource: refuseUserToken,
  signOutUser: refuseUserToken,
  getTokenStatus: refuseUserToken,
  getAadTokens: refuseUserToken,
  exchangeToken: refuseUserToken,
};
/** What the rest of the adapter uses from the SDK once it is loaded. */
export interface TeamsSdk {
  adapter: TeamsAdapterInstance;
  app: ApplicationInstance;
  /** Milliseconds the import and set-up took. */
  loadMs: number;
}

/** The three things a turn can be: a card action (Action.Execute returns a card), or anything else. */
export interface TurnHandlers {
  /** Action.Execute: returns the card that replaces the clicked one, or a short message. */
  onExecute(context: TurnContext, data: Record<string, unknown>): Promise<Record<string, unknown> | string>;
  /** Messages (incl. Action.Submit), installation and conversation updates. */
  onActivity(context: TurnContext): Promise<void>;
}

/**
 * The SDK's biggest pieces, loaded one by one (each resolved where the SDK itself would find it). Loading CommonJS
 * blocks the event loop; in steps of at most a few hundred ms the server keeps answering (e.g. /readyz) meanwhile.
 * Only a warm-up: if the layout differs, the imports below load everything anyway.
 */
const WARM_UP: [via: string[], module: string][] = [
  [['botbuilder'], '@azure/msal-node'],
  [['botbuilder'], '@azure/identity'],
  [['botbuilder'], 'botframework-connector'],
  [['botbuilder'], 'botbuilder-core'],
  [['botbuilder'], 'botbuilder'],
  [['@microsoft/teams-ai', 'botbuilder-dialogs'], '@microsoft/recognizers-text-number'],
  [['@microsoft/teams-ai', 'botbuilder-dialogs'], '@microsoft/recognizers-text-date-time'],
  [['@microsoft/teams-ai', 'botbuilder-dialogs'], '@microsoft/recognizers-text-suite'],
  [['@microsoft/teams-ai', 'botbuilder-dialogs'], 'lodash/omit'],
  [['@microsoft/teams-ai'], 'botbuilder-dialogs'],
];

const breathe = () => new Promise((resolve) => setImmediate(resolve));

type ConnectorModule = {
  ClaimsIdentity: new (claims: { type: string; value: string }[], auth: string | boolean) => unknown;
};

/** Load `module` as the SDK itself would: resolved from the package (chain) that depends on it. */
function requireFrom(via: string[], module: string): unknown {
  let from = import.meta.url.startsWith('file:') ? fileURLToPath(import.meta.url) : import.meta.url;
  for (const pkg of via) from = createRequire(from).resolve(pkg);
  return createRequire(from)(module);
}

async function warmUp(): Promise<void> {
  for (const [via, module] of WARM_UP) {
    try {
      requireFrom(via, module);
    } catch {
      // not where we expected it: the real imports below will load it
    }
    await breathe();
  }
}

export async function loadTeamsSdk(settings: BotAuthSettings, handlers: TurnHandlers, log: Logger): Promise<TeamsSdk> {
  const started = performance.now();
  await warmUp();
  await import('botbuilder');
  await breathe();
  const { TeamsAdapter } = await import('@microsoft/teams-ai/lib/TeamsAdapter.js');
  await breathe();
  const { Application } = await import('@microsoft/teams-ai/lib/Application.js');

  const { ClaimsIdentity } = requireFrom(['botbuilder'], 'botframework-connector') as ConnectorModule;

  class BubbelbrekerTeamsAdapter extends TeamsAdapter {
    constructor(botSettings: BotAuthSettings) {
      super(botSettings);
      (
        this.botFrameworkAuthentication as unknown as { createUserTokenClient(): Promise<unknown> }
      ).createUserTokenClient = async () => NO_USER_TOKENS;
    }

    processChecked(
      activity: Activity,
      claims: Record<string, unknown> | undefined,
      logic: (context: TurnContext) => Promise<void>,
    ): Promise<InvokeResponse | undefined> {
      // Local mode (no app id): anonymous, as botbuilder's own check makes it when authentication is off.
      const identity = claims
        ? new ClaimsIdentity(
            Object.entries(claims).map(([type, value]) => ({ type, value: String(value) })),
            true,
          )
        : new ClaimsIdentity([], 'anonymous');
      const checked = {
        audience: BOT_FRAMEWORK_AUDIENCE,
        claimsIdentity: identity,
        callerId: claims ? PUBLIC_AZURE_CALLER : undefined,
        connectorFactory: NO_CONNECTOR_FACTORY,
      };
      return this.processActivity(checked as never, activity, logic);
    }
  }
  const adapter = new BubbelbrekerTeamsAdapter(settings);
  adapter.onTurnError = async (_context, error) => {
    // The SDK's own failures (not ours: our handlers catch everything). No message text: it may hold user data.
    log.error({ err: { name: (error as Error)?.name ?? 'Error' } }, 'teams turn failed inside the SDK');
  };
  const app = new Application({
    adapter,
    ...(settings.MicrosoftAppId ? { botAppId: settings.MicrosoftAppId } : {}),
    // Mentions are removed by parse.ts (it also needs to know whether there was one).
    removeRecipientMention: false,
    // The typing timer is one field on the Application shared by all concurrent turns; our turns are short anyway.
    startTypingTimer: false,
    longRunningMessages: false,
  });
  app.adaptiveCards.actionExecute(
    CARD_VERB,
    async (context, _state, data) =>
      // Our cards are plain JSON built by render.ts; the SDK's AdaptiveCard type is just `{ type: string }` plus extras.
      (await handlers.onExecute(context, (data ?? {}) as Record<string, unknown>)) as AdaptiveCard | string,
  );
  app.activity(
    async () => true,
    async (context) => handlers.onActivity(context),
  );
  return { adapter, app, loadMs: performance.now() - started };
}
