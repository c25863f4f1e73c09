/**
 * The Teams ChatAdapter: POST /api/messages → botbuilder (TeamsAdapter + teams-ai Application) → InboundEvent →
 * the core, and the core's answers back as Adaptive Cards. See index.ts for how it is created.
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
import { botAuthSettings, isTenantAllowed } from './auth.js';
import { authFailureStatus, sendBotResponse, sendError, withDates } from './http-route.js';
import type { SendLimiter } from './limiter.js';
import { ActivityShape, lifecycleOf, tenantOf, toInboundEvent, unknownActionEvent } from './parse.js';
import { Outbox } from './proactive.js';
import { renderActivity } from './render.js';
import { loadTeamsSdk, type TeamsSdk } from './sdk.js';
import { runTurn, Turn } from './turn.js';
import type { TeamsAdapterDeps, TeamsTuning } from './types.js';

export const MESSAGES_PATH = '/api/messages';

export class TeamsChatAdapter implements ChatAdapter {
  readonly platform = 'teams' as const;
  private host: AdapterHost | undefined;
  private sdkPromise: Promise<TeamsSdk> | undefined;
  private stopping = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly outbox: Outbox;
  private readonly log;

  constructor(
    private readonly config: TeamsConfig,
    private readonly deps: TeamsAdapterDeps & { limiter: SendLimiter; close?: () => Promise<void> },
    private readonly tuning: TeamsTuning,
  ) {
    this.log = deps.log.child({ component: 'teams' });
    this.outbox = new Outbox({
      sdk: () => this.sdk(),
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
    if (this.tuning.sdkLoad === 'eager') await this.sdk();
    // In the background, after start-up has finished its own synchronous work.
    else setTimeout(() => void this.sdk().catch(() => undefined), 0).unref();
  }

  /** Resolves once botbuilder and teams-ai are loaded; how long that took. */
  async ready(): Promise<number> {
    return (await this.sdk()).loadMs;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.deps.close?.();
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

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  private async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (this.stopping) return sendError(res, 503, 'shutting down');
      // 415 for a non-JSON type, 413 over the limit, 400 (naming the first bad field) for anything not an activity.
      const body: Record<string, unknown> = await readJson(req, this.tuning.maxBodyBytes, ActivityShape);
      if (!isTenantAllowed(this.config, tenantOf(body))) {
        this.log.warn({ reason: 'tenant_not_allowed' }, 'teams request refused');
        return sendError(res, 403, 'tenant not allowed');
      }
      const sdk = await this.sdk();
      const authHeader = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
      // TeamsAdapter.process() would answer a bad signature with 500 (jsonwebtoken's error is not an
      // AuthenticationError); calling processActivity ourselves lets every token failure be a 401 (T2).
      let invoke: { status: number; body?: unknown } | undefined;
      try {
        invoke = await sdk.adapter.processAuthenticated(authHeader, withDates(body) as never, async (context) => {
          await sdk.app.run(context);
        });
      } catch (error) {
        const status = authFailureStatus(error);
        if (status === undefined) throw error;
        this.log.warn({ reason: 'token_rejected', errName: (error as Error)?.name }, 'teams request refused');
        return sendError(res, status, 'unauthorized');
      }
      sendBotResponse(res, invoke?.status ?? 200, invoke?.body);
    } catch (error) {
      if (error instanceof HttpError) return sendError(res, error.status, error.reason);
      if ((error as Error)?.name === 'ZodError') return sendError(res, 400, 'not a valid activity');
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
    const turn = new Turn(context, event, this.outbox, isExecute);
    const host = this.host;
    if (!host || !(await host.accept('teams', event.id))) return turn;
    await runTurn(turn, event, host.handle, this.tuning.turnBudgetMs, this.log, (work) => void this.track(work));
    return turn;
  }
}
