/**
 * The Teams ChatAdapter: POST /api/messages → botbuilder (TeamsAdapter + teams-ai Application) → InboundEvent →
 * the core, and the core's answers back as Adaptive Cards. See index.ts for how it is created.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TurnContext } from 'botbuilder';
import {
  type ChatAdapter,
  type ConversationRef,
  HttpError,
  type InboundEvent,
  type InboundSink,
  keys,
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
import { DEFAULT_RETENTION_DAYS, type TeamsAdapterDeps, type TeamsTuning } from './types.js';

/** How long an install or uninstall is remembered, so installationUpdate + conversationUpdate give one event. */
const LIFECYCLE_ONCE_MS = 2 * 60 * 1000;
/** A personal chat's stored reference is written again at most this often while the person is active. */
const REFRESH_EVERY_MS = 60 * 60 * 1000;
/** How many people's last refresh this process remembers. */
const REFRESH_MEMORY = 10_000;
const DAY_MS = 24 * 60 * 60 * 1000;
export const MESSAGES_PATH = '/api/messages';

export class TeamsChatAdapter implements ChatAdapter {
  readonly platform = 'teams' as const;
  private sink: InboundSink | undefined;
  private sdkPromise: Promise<TeamsSdk> | undefined;
  private stopping = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly outbox: Outbox;
  private readonly log;
  private readonly retentionMs: number;
  /** Pseudonym → when its personal reference was last stored by this process. */
  private readonly refreshed = new Map<string, number>();

  constructor(
    private readonly config: TeamsConfig,
    private readonly deps: TeamsAdapterDeps & { limiter: SendLimiter; close?: () => Promise<void> },
    private readonly tuning: TeamsTuning,
  ) {
    this.log = deps.log.child({ component: 'teams' });
    this.retentionMs = (deps.retentionDays ?? DEFAULT_RETENTION_DAYS) * DAY_MS;
    this.outbox = new Outbox({
      sdk: () => this.sdk(),
      appId: config.appId,
      limiter: deps.limiter,
      retry: { maxAttempts: tuning.maxAttempts, baseMs: tuning.backoffBaseMs, maxMs: tuning.backoffMaxMs },
      log: this.log,
      onUnreachable: deps.onUnreachable,
      pseudonymize: deps.pseudonymize,
    });
  }

  async start(sink: InboundSink): Promise<void> {
    this.sink = sink;
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
    const activity = context.activity;
    const lifecycle = lifecycleOf(activity);
    if (lifecycle) {
      // Teams sends installationUpdate and conversationUpdate for one install: let the first one through.
      const once = (kind: string) => keys.installation('teams', `${kind}:${activity.conversation.id}`);
      if (!(await this.deps.store.claim(once(lifecycle), LIFECYCLE_ONCE_MS))) return;
      // A reinstall right after a removal (or the other way round) is a new event, not the twin of the last one.
      await this.deps.store.delete(once(lifecycle === 'install' ? 'uninstall' : 'install'));
    }
    const event = toInboundEvent(activity);
    if (!event) return;
    if (event.kind === 'install') await this.remember(event);
    else if (event.kind === 'uninstall') await this.forget(event);
    else await this.refresh(event);
    await this.dispatch(context, event, false);
  }

  /** Action.Execute: the refreshed card is the invoke response, so the turn completes before the HTTP answer. */
  private async onExecute(context: TurnContext): Promise<Record<string, unknown> | string> {
    // A card action that is not (or no longer) ours goes to the core as an unknown action: it answers the person
    // with errors.unknownAction in their language, and the clicked card stays as it is.
    const parsed = toInboundEvent(context.activity);
    const event = parsed?.kind === 'action' ? parsed : unknownActionEvent(context.activity);
    await this.refresh(event);
    const turn = await this.dispatch(context, event, true);
    // No new card: keep the clicked one as it is (a stale or repeated click changes nothing).
    return turn.card ?? '';
  }

  private async dispatch(context: TurnContext, event: InboundEvent, isExecute: boolean): Promise<Turn> {
    const turn = new Turn(context, event, this.outbox, isExecute);
    if (!this.sink) return turn;
    await runTurn(turn, event, this.sink, this.tuning.turnBudgetMs, this.log, (work) => void this.track(work));
    return turn;
  }

  /**
   * Keep where the bot was installed, so it can write first after a restart or from another replica (T3).
   * Personal chats are person data: stored under the person's key (deleted by "vergeet mij") when the
   * composition root gives us the pseudonymizer, and only for the retention period (refreshed while the person
   * is active, see refresh()); team and group chats under the installation key.
   */
  private async remember(event: InboundEvent): Promise<void> {
    try {
      if (event.conversation.isDirect) await this.rememberPersonal(event);
      else await this.deps.store.set(keys.installation('teams', event.conversation.conversationId), event.conversation);
    } catch (error) {
      this.log.warn({ errName: (error as Error)?.name }, 'could not store the conversation reference');
    }
  }

  private async rememberPersonal(event: InboundEvent): Promise<void> {
    if (!this.deps.pseudonymize) return;
    const person = this.deps.pseudonymize(event.user);
    const key = keys.conversation(person);
    // Tracked first: a crash between the two must never leave person data that "vergeet mij" cannot find.
    await this.deps.store.track(person, key);
    await this.deps.store.set(key, event.conversation, this.retentionMs);
    this.refreshed.set(person, Date.now());
  }

  /**
   * A person active in their personal chat: store the reference again (new expiry, and a serviceUrl that may have
   * changed), at most once per REFRESH_EVERY_MS per person in this process.
   */
  private async refresh(event: InboundEvent): Promise<void> {
    if (!event.conversation.isDirect || !this.deps.pseudonymize) return;
    try {
      const last = this.refreshed.get(this.deps.pseudonymize(event.user));
      if (last !== undefined && Date.now() - last < REFRESH_EVERY_MS) return;
      // Bounded: the map only saves writes, so forgetting it all now and then costs a write per person.
      if (this.refreshed.size >= REFRESH_MEMORY) this.refreshed.clear();
      await this.rememberPersonal(event);
    } catch (error) {
      this.log.warn({ errName: (error as Error)?.name }, 'could not refresh the conversation reference');
    }
  }

  /** After a removal the bot can no longer write there: drop the stored reference. */
  private async forget(event: InboundEvent): Promise<void> {
    try {
      if (!event.conversation.isDirect)
        await this.deps.store.delete(keys.installation('teams', event.conversation.conversationId));
      else if (this.deps.pseudonymize) {
        const person = this.deps.pseudonymize(event.user);
        this.refreshed.delete(person);
        await this.deps.store.delete(keys.conversation(person));
      }
    } catch (error) {
      this.log.warn({ errName: (error as Error)?.name }, 'could not drop the conversation reference');
    }
  }
}
