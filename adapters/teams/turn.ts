/**
 * One Teams turn: the TurnIO the core answers through, and the time budget (Teams wants an answer within 15 s).
 * The core runs inside the HTTP request so that an Action.Execute can answer with the refreshed card; if it takes
 * longer than the budget the request is answered anyway and the rest continues proactively.
 */
import type { ConversationRef, InboundEvent, InboundSink, Logger, SentRef, TurnIO } from '../../src/core/index.js';
import type { Outbox, TurnSource } from './outbox.js';
import { type AdaptiveCardJson, renderActivity, renderCard } from './render.js';

/** A turn in progress: while `open`, sends in its conversation reply to its activity; afterwards they go proactively. */
export class Turn {
  open = true;
  /** For Action.Execute: the card that becomes the invoke response. */
  card: AdaptiveCardJson | undefined;
  /** The person's personal chat, opened once per turn however often the core writes there. */
  private direct: Promise<ConversationRef> | undefined;

  constructor(
    /** The id of the activity this turn answers (undefined when Teams sent none). */
    private readonly activityId: string | undefined,
    private readonly event: InboundEvent,
    private readonly outbox: Outbox,
    private readonly isExecute: boolean,
  ) {}

  /** The activity to reply to while the turn is open; the Outbox asks again before every attempt. */
  private readonly replyTo: TurnSource = () => (this.open ? this.activityId : undefined);

  private openDirect(): Promise<ConversationRef> {
    if (!this.direct) {
      const opening = this.outbox.openDirect(this.event.user);
      this.direct = opening;
      // A failure is not kept: a later send in this turn may try again.
      opening.catch(() => {
        if (this.direct === opening) this.direct = undefined;
      });
    }
    return this.direct;
  }

  readonly io: TurnIO = {
    send: async (message, options) => {
      const activity = renderActivity(message);
      let conversation = this.event.conversation;
      if (options?.direct && !conversation.isDirect) {
        // The check-in runs in the personal chat only: open (or find) it and write there.
        conversation = await this.openDirect();
        return { conversation, messageId: await this.outbox.send(conversation, activity) };
      }
      return { conversation, messageId: await this.outbox.send(conversation, activity, this.replyTo) };
    },
    update: async (message, target) => {
      if (target) {
        // A question card the core names (the live card of a check-in): replaced where it is.
        await this.outbox.update(target.conversation, target.messageId, renderActivity(message));
        return;
      }
      if (this.isExecute && this.open && !this.card) {
        this.card = renderCard(message);
        return;
      }
      const source = this.event.kind === 'action' ? this.event.source : undefined;
      if (!source) {
        await this.io.send(message);
        return;
      }
      await this.outbox.update(source.conversation, source.messageId, renderActivity(message));
    },
    remove: async (ref: SentRef) => {
      try {
        await this.outbox.remove(ref.conversation, ref.messageId);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/**
 * Hand the event to the core and wait for it up to `budgetMs`. Returns when the core is done or the budget is
 * spent; `track` receives the core's promise so shutdown can wait for work that outlives the request.
 */
export async function runTurn(
  turn: Turn,
  event: InboundEvent,
  sink: InboundSink,
  budgetMs: number,
  log: Logger,
  track: (work: Promise<void>) => void,
): Promise<void> {
  const work = sink(event, turn.io).catch((error: unknown) => {
    // The core catches its own errors; this is a last guard so nothing reaches the HTTP answer.
    log.error({ errName: error instanceof Error ? error.name : typeof error }, 'teams turn failed');
  });
  track(work);
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), budgetMs);
  });
  const outcome = await Promise.race([work.then(() => 'done' as const), budget]);
  clearTimeout(timer);
  turn.open = false;
  if (outcome === 'late') log.warn({ budgetMs }, 'teams turn over budget: answered, continuing proactively');
}
