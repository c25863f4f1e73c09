import { LogLevel, SocketModeReceiver, type App, type ReceiverEvent } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { Logger } from '../../src/core/index.js';
import { interpret, type Work } from './inbound.js';
import { answersInView, type ViewAnswer } from './work.js';
import { sdkLogger } from './sdk-logger.js';

export interface SocketModeDeps {
  appToken: string;
  log: Logger;
  now: () => number;
  clientOptions: WebClientOptions;
  /** Record the work once (the core's de-duplication) before the ack; keeps first deliveries. May reject. */
  admit: (work: Work[], sentAt?: number) => Promise<Work[]>;
  /**
   * Runs the work after the envelope was acknowledged; must not throw. For a form submission it resolves with what
   * the acknowledgement must say (`response_action`), which is awaited first.
   */
  dispatch: (work: Work[], meta: { retryNum?: number }) => Promise<ViewAnswer | undefined> | undefined;
}

/**
 * Socket Mode (SLACK_APP_TOKEN): Bolt's SocketModeReceiver holds the WebSocket (apps.connections.open,
 * reconnects, acks). Instead of a whole Bolt App it is given the one method it calls, processEvent, which feeds
 * the same interpret → dispatch path as HTTP — so de-duplication and answers are identical. Envelopes are
 * already authenticated by the app token; there is no signature to check.
 */
export function createSocketMode(deps: SocketModeDeps): { start(): Promise<void>; stop(): Promise<void> } {
  const receiver = new SocketModeReceiver({
    appToken: deps.appToken,
    logLevel: LogLevel.WARN,
    logger: sdkLogger(deps.log, 'socket-mode'),
    installerOptions: { clientOptions: deps.clientOptions },
  });
  const app = {
    async processEvent(event: ReceiverEvent): Promise<void> {
      const outcome = interpret(event.body, deps.now());
      let fresh: Work[] = [];
      if (outcome.ack === 'ok' && outcome.work.length > 0) {
        try {
          fresh = await deps.admit(outcome.work, outcome.sentAt);
        } catch {
          // Not recorded, so not acknowledged: Slack sends the envelope again.
          deps.log.warn('slack envelope not recorded; leaving it unacknowledged so Slack sends it again');
          return;
        }
      }
      if (fresh.some(answersInView)) {
        // A form submission: the acknowledgement carries the answer (the modal stays open with the reason).
        const answer = await deps.dispatch(fresh, { retryNum: event.retryNum });
        await event.ack(answer);
        return;
      }
      // Everything else is acknowledged: an unacknowledged envelope only comes back again.
      await event.ack();
      if (outcome.ack === 'invalid') {
        deps.log.warn({ reason: outcome.reason, field: outcome.field }, 'slack payload refused');
        return;
      }
      if (outcome.ack === 'ok' && outcome.ignored)
        deps.log.debug({ payloadType: outcome.ignored }, 'slack payload type not handled');
      if (fresh.length > 0) deps.dispatch(fresh, { retryNum: event.retryNum });
    },
  };
  // The receiver only ever calls app.processEvent (SocketModeReceiver.js); a full App would add a second pipeline.
  receiver.init(app as unknown as App);
  return {
    start: async () => {
      await receiver.start();
    },
    stop: async () => {
      await receiver.stop();
    },
  };
}
