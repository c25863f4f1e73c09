/**
 * The Teams ChatAdapter: POST /api/messages → shape check → token check → tenant allow-list → botbuilder
 * (TeamsAdapter + teams-ai Application) → InboundEvent → the core, and the core's answers back as Adaptive Cards
 * through our own Bot Connector client. See index.ts for how it is created.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TurnContext } from 'botbuilder';
import {
  type AdapterHost,
  type ChatAdapter,
  type ConversationRef,
  HttpError,
  type InboundEvent,
  type OutboundMessage,
  readJson,
  type SentRef,
  type TeamsConfig,
  type UserRef,
} from '../../src/core/index.js';
import { checkActivity } from './activity-shape.js';
import { botAuthSettings, isTenantAllowed } from './auth.js';
import { createBotTokenSource } from './bot-token.js';
import { createConnectorClient } from './connector.js';
import { createHttpClient, type HttpClient } from './http-client.js';
import { sendBotResponse, sendError, withDates } from './http-route.js';
import type { SendLimiter } from './limiter.js';
import type { OpenIdKeys } from './openid-keys.js';
import { Outbox } from './outbox.js';
import { tenantOf, toInboundEvent, unknownActionEvent } from './parse.js';
import { renderActivity } from './render.js';
import { loadTeamsSdk, type TeamsSdk } from './sdk.js';
import type { TokenValidator } from './token-validator.js';
import { runTurn, Turn } from './turn.js';
import type { TeamsAdapterDeps, TeamsTuning } from './types.js';

export const MESSAGES_PATH = '/api/messages';

export class TeamsChatAdapter implements ChatAdapter {
  readonly platform = 'teams' as const;
  private host: AdapterHost | undefined;
  private sdkPromise: Promise<TeamsSdk> | undefined;
  private validatorPromise: Promise<TokenValidator> | undefined;
  private keys: OpenIdKeys | undefined;
  private stopping = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly http: HttpClient;
  private readonly outbox: Outbox;
  private readonly log;

  constructor(
    private readonly config: TeamsConfig,
    private readonly deps: TeamsAdapterDeps & { limiter: SendLimiter; close?: () => Promise<void> },
    private readonly tuning: TeamsTuning,
  ) {
    this.log = deps.log.child({ component: 'teams' });
    // One keep-alive client for every outbound call: the Bot Connector, the bot's token, the signing keys.
    this.http = createHttpClient({ timeoutMs: tuning.connectorTimeoutMs });
    const token = createBotTokenSource(config, { http: this.http, refreshMarginMs: tuning.tokenRefreshMarginMs });
    this.outbox = new Outbox({
      connector: createConnectorClient({ http: this.http, ...(token ? { token } : {}) }),
      appId: config.appId,
      limiter: deps.limiter,
      retry: { maxAttempts: tuning.maxAttempts, baseMs: tuning.backoffBaseMs, maxMs: tuning.backoffMaxMs },
      log: this.log,
    });
  }

  async start(host: AdapterHost): Promise<void> {
    this.host = host;
    this.deps.routes.route({
      method: 'POST',
      path: MESSAGES_PATH,
      bodyLimit: this.tuning.maxBodyBytes,
      handler: (req, res) => this.track(this.handleRequest(req, res)),
    });
    if (this.tuning.sdkLoad === 'eager') {
      await this.sdk();
      if (this.config.appId) await this.validator();
      return;
    }
    // In the background, once the server is up (sdkLoadDelayMs); the signing keys are fetched then too, so the
    // first request need not wait for them.
    setTimeout(() => {
      if (this.stopping) return;
      void this.sdk().catch(() => undefined);
      if (this.config.appId)
        void this.validator().then(
          () => this.keys?.prefetch(),
          () => undefined,
        );
    }, this.tuning.sdkLoadDelayMs).unref();
  }

  /** Resolves once botbuilder and teams-ai are loaded; how long that took. */
  async ready(): Promise<number> {
    return (await this.sdk()).loadMs;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // A fetch of the signing keys in flight is cut off: requests waiting for it get 503 at once.
    this.keys?.close();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.deps.close?.();
    this.http.close();
  }

  async send(to: ConversationRef, message: OutboundMessage): Promise<SentRef> {
    return { conversation: to, messageId: await this.outbox.send(to, renderActivity(message)) };
  }

  async update(sent: SentRef, message: OutboundMessage): Promise<void> {
    await this.outbox.update(sent.conversation, sent.messageId, renderActivity(message));
  }

  async remove(sent: SentRef): Promise<boolean> {
    try {
      await this.outbox.remove(sent.conversation, sent.messageId);
      return true;
    } catch {
      return false;
    }
  }

  async openDirect(user: UserRef): Promise<ConversationRef> {
    return this.outbox.openDirect(user);
  }

  private sdk(): Promise<TeamsSdk> {
    if (this.sdkPromise) return this.sdkPromise;
    const loading = loadTeamsSdk(
      botAuthSettings(this.config),
      { onExecute: (context) => this.onExecute(context), onActivity: (context) => this.onActivity(context) },
      this.log,
    ).then(
      (sdk) => {
        this.log.info(
          { loadMs: Math.round(sdk.loadMs), authenticated: Boolean(this.config.appId) },
          'teams sdk loaded',
        );
        return sdk;
      },
      (error: unknown) => {
        // Not kept: the next request (or ready()) loads again instead of failing until a restart.
        if (this.sdkPromise === loading) this.sdkPromise = undefined;
        this.log.error({ errName: (error as Error)?.name ?? typeof error }, 'teams sdk failed to load');
        throw error;
      },
    );
    this.sdkPromise = loading;
    return loading;
  }

  /** The token check (with an app id only); jose loads on first use, off the start-up path. */
  private validator(): Promise<TokenValidator> {
    const appId = this.config.appId;
    if (!appId) return Promise.reject(new Error('no app id: nothing to validate against'));
    this.validatorPromise ??= (async () => {
      const [{ createOpenIdKeys }, { createTokenValidator }] = await Promise.all([
        import('./openid-keys.js'),
        import('./token-validator.js'),
      ]);
      const t = this.tuning;
      this.keys = createOpenIdKeys(
        {
          metadataUrl: t.openIdMetadataUrl,
          timeoutMs: t.openIdTimeoutMs,
          refreshMs: t.openIdRefreshMs,
          maxAgeMs: t.openIdMaxAgeMs,
          minRefreshIntervalMs: t.openIdMinRefreshMs,
          retryMs: t.openIdRetryMs,
        },
        { http: this.http, log: this.log },
      );
      if (this.stopping) this.keys.close();
      return createTokenValidator(appId, this.keys);
    })().catch((error: unknown) => {
      this.validatorPromise = undefined;
      throw error;
    });
    return this.validatorPromise;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  private async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (this.stopping) return sendError(res, 503, 'shutting down');
      // 415 for a non-JSON type, 413 over the limit, 400 naming the first field of the wrong type or missing.
      const body = checkActivity(await readJson(req, this.tuning.maxBodyBytes));
      let claims: Record<string, unknown> | undefined;
      if (this.config.appId) {
        // With an app id every request is checked; there is no way around it (auth.ts).
        const validator = await this.validator().catch(() => undefined);
        if (!validator) return sendError(res, 503, 'authentication unavailable', { 'retry-after': '5' });
        const check = await validator.check(req.headers.authorization, body);
        if (!check.ok) {
          this.log.warn({ reason: check.reason, status: check.status }, 'teams request refused');
          if (check.status === 503)
            return sendError(res, 503, 'authentication unavailable', { 'retry-after': String(check.retryAfterS) });
          return sendError(res, 401, `unauthorized: ${check.reason}`);
        }
        claims = check.claims;
      }
      if (!isTenantAllowed(this.config, tenantOf(body))) {
        this.log.warn({ reason: 'tenant_not_allowed' }, 'teams request refused');
        return sendError(res, 403, 'tenant not allowed');
      }
      const sdk = await this.sdk();
      const invoke = await sdk.adapter.processChecked(withDates(body) as never, claims, async (context) => {
        await sdk.app.run(context);
      });
      sendBotResponse(res, invoke?.status ?? 200, invoke?.body);
    } catch (error) {
      if (error instanceof HttpError) return sendError(res, error.status, error.reason);
      this.log.error({ errName: (error as Error)?.name ?? typeof error }, 'teams request failed');
      sendError(res, 500, 'internal error');
    }
  }

  /** Messages, Action.Submit, installs and removals. */
  private async onActivity(context: TurnContext): Promise<void> {
    const event = toInboundEvent(context.activity);
    if (!event) return;
    await this.dispatch(context, event, false);
  }

  /** Action.Execute: the refreshed card is the invoke response, so the turn completes before the HTTP answer. */
  private async onExecute(context: TurnContext): Promise<Record<string, unknown> | string> {
    // A card action that is not (or no longer) ours goes to the core as an unknown action: it answers the person
    // with errors.unknownAction in their language, and the clicked card stays as it is.
    const parsed = toInboundEvent(context.activity);
    const event = parsed?.kind === 'action' ? parsed : unknownActionEvent(context.activity);
    const turn = await this.dispatch(context, event, true);
    // No new card: keep the clicked one as it is (a stale or repeated click changes nothing).
    return turn.card ?? '';
  }

  /** Record the event once (a redelivery does nothing), then run the core's turn within the time budget. */
  private async dispatch(context: TurnContext, event: InboundEvent, isExecute: boolean): Promise<Turn> {
    const turn = new Turn(context.activity.id, event, this.outbox, isExecute);
    const host = this.host;
    if (!host || !(await host.accept('teams', event.id))) return turn;
    await runTurn(turn, event, host.handle, this.tuning.turnBudgetMs, this.log, (work) => void this.track(work));
    return turn;
  }
}
