/** A bot with the product's features for session tests: any store, a recording adapter, helpers to press buttons. */
import type { Core } from '../../../src/app.js';
import type { KeyValueStore } from '../../../src/store/store.js';
import type { ActionPayload, OutboundMessage } from '../../../src/message/types.js';
import { makeBot, person } from '../../support/make-bot.js';
import { formOf, recordingAdapter, submit, turn } from '../announcements/support.js';

export async function sessionBot(options: { env?: Record<string, string>; store?: KeyValueStore } = {}) {
  const bot = await makeBot({
    env: { ORGANISERS: 'slack:UORG', QUIET_HOURS: 'off', ...options.env },
    ...(options.store ? { store: options.store } : {}),
  });
  const recorder = recordingAdapter();
  bot.registry.register(recorder.adapter);
  return { bot, ...recorder };
}

/** The console organiser (the terminal chat is a local try-out: its person may organise). */
export const organiser = () => person('UORG', 'console');

/** Make a session through the chat form; returns its id. */
export async function createSession(
  bot: Core,
  fields: Record<string, string>,
  by: ReturnType<typeof person> = organiser(),
): Promise<string> {
  const form = formOf((await turn(bot, by.says('nieuwe sessie'))).last());
  if (!form) throw new Error('no session form');
  const saved = await turn(bot, by.clicks(submit(form, fields)));
  const id = /sessionId ([A-Za-z0-9_-]+)/.exec(saved.texts().join('\n') + JSON.stringify(saved.last()))?.[1];
  if (!id) throw new Error(`session not saved: ${JSON.stringify(saved.last())}`);
  return id;
}

export const joinRoute = (s: string): ActionPayload => ({ route: { feature: 'sessions', verb: 'join', data: { s } } });
export const sessionRoute = (verb: string, s: string): ActionPayload => ({
  route: { feature: 'sessions', verb, data: { s } },
});

/** Everything a message says, blocks included. */
export const said = (message: OutboundMessage | undefined) => JSON.stringify(message ?? {});

/** Wait until `check` holds (the queue works on real timers). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export { formOf, person, submit, turn };
