import type { WebClientOptions } from '@slack/web-api';
import { randomUUID } from 'node:crypto';
import type {
  AdapterHost,
  ChatAdapter,
  ConversationRef,
  InboundEvent,
  Locale,
  OutboundMessage,
  SentRef,
  SlackConfig,
  UserRef,
} from '../../src/core/index.js';
import { SLACK_ROUTES } from './app-spec.js';
import { errorCode } from './error-code.js';
import { formViewAnswer } from './form.js';
import { buildHome } from './home.js';
import { createEventsRoute } from './http-receiver.js';
import type { TurnWork, Work } from './inbound.js';
import { answersInView, type ViewAnswer } from './work.js';
import { renderModal } from './modal.js';
import { createInstallations, type Installations } from './oauth.js';
import { renderMessage } from './render.js';
import { createSocketMode } from './socket-mode.js';
import { createTurnIO, labelFor, silentTurnIO, type ViewAnswerSlot } from './turn-io.js';
import { DEFAULT_TUNING, type SlackAdapterDeps, type SlackTuning } from './types.js';
import { SlackApi } from './web-api.js';

/** The Slack adapter, plus a few handles tests and the benchmark use. */
export interface SlackAdapter extends ChatAdapter {
  readonly platform: 'slack';
  /** Resolves when every turn started so far has finished. */
  drain(): Promise<void>;
  readonly api: SlackApi;
  readonly tuning: SlackTuning;
}

export interface SlackAdapterOptions {
  /** A fetch for the Web API instead of the global one (benchmarks). */
  fetch?: WebClientOptions['fetch'];
}

/** The id under which a work item is recorded once (the core's inbox); none for opening a modal. */
function workId(item: Work): string | undefined {
  if ('kind' in item) return item.kind === 'home' ? item.id : undefined;
  return item.event.id;
}

/** Whose work it is, so "vergeet mij" reaches what the inbox keeps of it. */
function workUser(item: Work): UserRef | undefined {
  if (!('kind' in item)) return item.type === 'turn' ? item.event.user : undefined;
  return { platform: 'slack', tenantId: item.teamId, userId: item.userId };
}

export function createSlackAdapterImpl(
  config: SlackConfig,
  deps: SlackAdapterDeps,
  options: SlackAdapterOptions = {},
): SlackAdapter {
  const now = deps.now ?? Date.now;
  const tuning: SlackTuning = { ...DEFAULT_TUNING, ...deps.tuning };
  const log = deps.log.child({ component: 'slack' });
  const defaultLocale: Locale = deps.defaultLocale ?? 'nl';
  const inFlight = new Set<Promise<void>>();
  let host: AdapterHost | undefined;
  let socket: ReturnType<typeof createSocketMode> | undefined;
  const started = (): AdapterHost => {
    if (!host) throw new Error('the Slack adapter has not been started');
    return host;
  };

  let installations: Installations | undefined;
  const api = new SlackApi({
    apiUrl: config.apiUrl,
    policy: deps.policy,
    log,
    now,
    tuning,
    tokenFor: (teamId) => (installations as Installations).tokenFor(teamId),
    fetch: options.fetch,
  });
  installations = createInstallations({
    config,
    vault: () => started().vault,
    log,
    now,
    clientOptions: api.clientOptions(),
    onInstalled: (teamId, userId) => track(welcome(teamId, userId)),
  });
  const ioDeps = { api, translate: deps.translate, defaultLocale };

  function track(work: Promise<void>): void {
    const running = work.catch((error: unknown) =>
      log.warn({ code: errorCode(error) }, 'slack work failed after the ack'),
    );
    inFlight.add(running);
    void running.finally(() => inFlight.delete(running));
  }

  /** Record every item once (before the ack); keep the first deliveries. Rejects when nothing can be recorded. */
  /**
   * Record every item once, durably, before the ack (the core's inbox): with what is needed to run it again, so a
   * crash after the ack loses nothing. Keeps first deliveries; rejects when nothing can be recorded.
   */
  async function admit(work: Work[], sentAt?: number): Promise<Work[]> {
    const fresh: Work[] = [];
    for (const item of work) {
      const id = workId(item);
      if (id === undefined || (await started().accept('slack', id, { payload: item, user: workUser(item), sentAt })))
        fresh.push(item);
      else log.debug('slack redelivery ignored');
    }
    return fresh;
  }

  /**
   * Run one item. A turn is marked finished by the core once it is over (unless the store failed it: then it is
   * run again later); the App Home has no turn, so it is marked finished here once it is published.
   */
  async function runRecorded(item: Work, viewAnswer?: ViewAnswerSlot): Promise<void> {
    await run(item, viewAnswer);
    if ('kind' in item && item.kind === 'home') await started().finish('slack', item.id);
  }

  async function runTurn(item: TurnWork, viewAnswer?: ViewAnswerSlot): Promise<void> {
    const { event, target } = item;
    // From the App Home: the turn's 1:1 chat is opened only when the core answers (the TurnIO has no channel).
    if (item.resolve === 'dm') event.conversation = { ...event.conversation, isDirect: true };
    if (item.resolve === 'command' && (await api.openDm(target.teamId, target.userId)) === target.channel) {
      // The slash command was typed in the bot's own 1:1 chat: answer there, in the open.
      event.conversation = { ...event.conversation, isDirect: true };
      target.isDirect = true;
    }
    await started().handle(event, createTurnIO(target, ioDeps, viewAnswer));
  }

  /**
   * The HTTP answer of a form submission: the first message of its turn decides — a form becomes the answer (the
   * modal stays open), anything else closes the modal. Without either within the budget, it closes too, and the
   * turn goes on as any other.
   */
  function viewAnswerFor(item: TurnWork): {
    slot: ViewAnswerSlot;
    answer: Promise<ViewAnswer | undefined>;
    end(): void;
  } {
    let settle: (answer: ViewAnswer | undefined) => void = () => undefined;
    const answer = new Promise<ViewAnswer | undefined>((resolve) => (settle = resolve));
    let open = true;
    const close = (value?: ViewAnswer): boolean => {
      if (!open) return false;
      open = false;
      clearTimeout(timer);
      settle(value);
      return true;
    };
    const timer = setTimeout(() => close(), tuning.viewAnswerBudgetMs);
    timer.unref();
    const slot: ViewAnswerSlot = {
      offer(message) {
        const form = message.blocks.find((b) => b.type === 'form');
        if (form?.type !== 'form') {
          close();
          return false;
        }
        return close(formViewAnswer(form, item.target.channel));
      },
    };
    return { slot, answer, end: () => void close() };
  }

  async function run(item: Work, viewAnswer?: ViewAnswerSlot): Promise<void> {
    if ('kind' in item) {
      if (item.kind === 'modal') {
        // The trigger id expires 3 s after the click: open the modal before anything else.
        const label = (key: string) => deps.translate(item.spec.locale ?? defaultLocale, key);
        await api.openView(item.teamId, item.triggerId, renderModal(item, label));
        return;
      }
      const view = await buildHome(item, { handle: started().handle, translate: deps.translate, defaultLocale });
      await api.publishHome(item.teamId, item.userId, view);
      return;
    }
    if (item.type === 'uninstall') {
      await (installations as Installations).remove(item.teamId);
      api.forgetTeam(item.teamId);
      await started().handle(item.event, silentTurnIO);
      return;
    }
    await runTurn(item, viewAnswer);
  }

  async function welcome(teamId: string, userId: string): Promise<void> {
    const channel = await api.openDm(teamId, userId);
    const event: InboundEvent = {
      kind: 'install',
      id: `install:${teamId}:${randomUUID()}`,
      platform: 'slack',
      user: { platform: 'slack', tenantId: teamId, userId },
      conversation: { platform: 'slack', tenantId: teamId, conversationId: channel, isDirect: true },
      receivedAt: now(),
    };
    await runTurn({ type: 'turn', event, target: { teamId, userId, channel, isDirect: true } });
  }

  /** Run each item after the ack; for a form submission, resolves with what the ack must say (or nothing). */
  const dispatch = (work: Work[], meta: { retryNum?: number }): Promise<ViewAnswer | undefined> | undefined => {
    if (meta.retryNum) log.info({ retryNum: meta.retryNum }, 'slack redelivery');
    let answer: Promise<ViewAnswer | undefined> | undefined;
    for (const item of work) {
      if (!answersInView(item) || answer) {
        track(runRecorded(item));
        continue;
      }
      const pending = viewAnswerFor(item as TurnWork);
      answer = pending.answer;
      track(runRecorded(item, pending.slot).finally(pending.end));
    }
    return answer;
  };

  const label = (message: OutboundMessage) => labelFor(ioDeps, message);

  return {
    platform: 'slack',
    api,
    tuning,
    async start(coreHost) {
      host = coreHost;
      deps.routes.route({
        method: 'POST',
        path: SLACK_ROUTES.events,
        bodyLimit: tuning.maxBodyBytes,
        handler: createEventsRoute({
          signingSecret: config.signingSecret,
          log,
          now,
          maxBodyBytes: tuning.maxBodyBytes,
          isBusy: () => inFlight.size >= tuning.maxInFlight,
          admit,
          dispatch,
        }),
      });
      const oauth = installations?.oauth;
      if (oauth) {
        deps.routes.route({ method: 'GET', path: SLACK_ROUTES.install, bodyLimit: 0, handler: oauth.install });
        deps.routes.route({ method: 'GET', path: SLACK_ROUTES.oauthRedirect, bodyLimit: 0, handler: oauth.callback });
      }
      if (config.appToken) {
        socket = createSocketMode({
          appToken: config.appToken,
          log,
          now,
          clientOptions: api.clientOptions(),
          admit,
          dispatch,
        });
        await socket.start();
      }
      log.info({ socketMode: Boolean(config.appToken), oauth: Boolean(oauth) }, 'slack adapter started');
    },
    async stop() {
      await socket?.stop();
      await this.drain();
    },
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    async send(to: ConversationRef, message: OutboundMessage): Promise<SentRef> {
      const rendered = renderMessage(message, label(message));
      const sent = await api.postMessage(to.tenantId, {
        channel: to.conversationId,
        ...rendered,
        ...(to.threadId ? { thread_ts: to.threadId } : {}),
      });
      return { conversation: { ...to, conversationId: sent.channel }, messageId: sent.ts };
    },
    async update(sent: SentRef, message: OutboundMessage): Promise<void> {
      const rendered = renderMessage(message, label(message));
      await api.update(sent.conversation.tenantId, {
        channel: sent.conversation.conversationId,
        ts: sent.messageId,
        ...rendered,
      });
    },
    async openDirect(user: UserRef): Promise<ConversationRef> {
      const channel = await api.openDm(user.tenantId, user.userId);
      return { platform: 'slack', tenantId: user.tenantId, conversationId: channel, isDirect: true };
    },
    async remove(sent: SentRef): Promise<boolean> {
      return api.delete(sent.conversation.tenantId, { channel: sent.conversation.conversationId, ts: sent.messageId });
    },
    async replay(payload: unknown) {
      const item = payload as Work;
      // A turn that was under way when the process died runs again, marked so the core knows it may have had
      // an effect already (an answer stored before the crash is then not refused as a stale click).
      if (!('kind' in item) && item.type === 'turn') item.event = { ...item.event, replayed: true };
      await runRecorded(item);
    },
  };
}
