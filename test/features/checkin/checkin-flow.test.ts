/**
 * The check-in through the real bot, runner and engine, with this feature plugged in directly (the composition
 * root wires it for production). Key-level checks; the terminal transcripts live with the console adapter.
 */
import { describe, expect, it } from 'vitest';
import { createPseudonymizer } from '../../../src/crypto/pseudonym.js';
import { dialogKey } from '../../../src/dialog/runner.js';
import { checkinKeys as keys } from '../../../src/features/checkin/keys.js';
import { consentKey } from '../../../src/features/privacy/consent.js';
import { createTranslator } from '../../../src/i18n/translator.js';
import type { ActionPayload } from '../../../src/message/types.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { captureLogger } from '../../support/capture-logger.js';
import { buttonsOf, makeBot, person, questionBlock, recordingIO, TEST_PSEUDONYM_KEY } from '../../support/make-bot.js';

const translator = createTranslator({ dir: 'dialogs' });
const CANARY = 'CANARY-flow-5d1';

async function setup() {
  const store = new MemoryStore();
  const logger = captureLogger();
  const bot = await makeBot({
    store,
    log: logger.log,
    env: { ESCALATION_CONTACT_NAME: 'Team OOV Voorbeeld', ESCALATION_CONTACT_PHONE: '14 0123' },
  });
  const user = person(`U${Math.random().toString(36).slice(2, 8)}`);
  const pseudonym = createPseudonymizer(TEST_PSEUDONYM_KEY)({
    platform: 'console',
    tenantId: 'T1',
    userId: user.says('').user.userId,
  });
  return { bot, store, user, pseudonym, logger };
}

/** Answer every question the bot asks from `answers` (by step id); returns the last turn's recorder. */
async function checkIn(env: Awaited<ReturnType<typeof setup>>, answers: Record<string, string | string[]>) {
  let io = recordingIO();
  await env.bot.receive(env.user.command('checkin'), io);
  // The first check-in asks for consent before the first question.
  const agree = buttonsOf(io.last()).get(translator.t('nl', 'privacy.consent.yes'));
  expect(agree, 'the consent card comes first').toBeDefined();
  io = recordingIO();
  await env.bot.receive(env.user.clicks(agree!), io);
  const asked: string[] = [];
  for (let guard = 0; guard < 15; guard++) {
    const q = questionBlock(io.last());
    if (!q) break;
    const stepId = q.route.data?.s ?? '';
    asked.push(stepId);
    const value = answers[stepId];
    const action: ActionPayload =
      q.type === 'multi'
        ? { route: q.route, values: value as string[] }
        : q.type === 'input'
          ? { route: q.route, text: (value as string) ?? '' }
          : { route: q.route, choice: value as string };
    io = recordingIO();
    await env.bot.receive(env.user.clicks(action), io);
  }
  return { io, asked };
}

describe('the check-in through the bot', () => {
  it('a conflict check-in skips the Brandsma questions, keeps the result and lets the person forget it', async () => {
    const env = await setup();
    const { io, asked } = await checkIn(env, {
      kind: 'conflict',
      signals: ['debating'],
      safety: ['none'],
      participation: 'codecide',
      delivered: 'inform',
      voices: ['neighbours'],
      position: 'meSide',
      note: CANARY,
    });
    expect(asked).toEqual(['kind', 'signals', 'safety', 'participation', 'delivered', 'voices', 'position', 'note']);
    const result = io.log.find((r) => r.op === 'send' && r.message.text.startsWith(translator.t('nl', 'result.title')));
    expect(result && result.op === 'send' && result.direct).toBe(true);
    // The summary says how sure it is (the one-sided view lowers it) and shows the note written for oneself.
    const shown = result && result.op === 'send' ? result.message : undefined;
    expect(shown?.text).toContain(translator.t('nl', 'result.sure.medium'));
    expect(shown?.text).toContain(translator.t('nl', 'result.note', { note: CANARY }));
    // Behind "Toon uitleg", in the same card: the broken promise named with both rungs.
    const explain = shown!.blocks
      .flatMap((b) => (b.type === 'buttons' ? b.buttons : []))
      .find((b) => b.route.verb === 'explain')!;
    const explained = recordingIO();
    await env.bot.receive(env.user.clicks({ route: explain.route }), explained);
    expect(explained.log.map((r) => r.op)).toEqual(['update']);
    expect(explained.last()?.text).toContain('Beloofd was: meebeslissen. Inwoners kregen: informeren.');
    expect(explained.last()?.text).toContain(translator.t('nl', 'result.certainty.medium'));
    const stored = await env.store.keysOf(env.pseudonym);
    const resultKey = stored.find((k) => k.startsWith('checkin:result:'));
    expect(resultKey).toBeDefined();
    expect(stored).toContain(keys.resultList(env.pseudonym));

    const forget = io
      .last()!
      .blocks.flatMap((b) => (b.type === 'buttons' ? b.buttons : []))
      .find((b) => b.route.verb === 'forget')!;
    const after = recordingIO();
    await env.bot.receive(env.user.clicks({ route: forget.route }), after);
    expect(after.log.some((r) => r.op === 'remove')).toBe(true);
    expect(after.texts()).toContain(translator.t('nl', 'result.forgotten'));
    expect(await env.store.get(resultKey!)).toBeUndefined();
    expect(env.logger.text()).not.toContain(CANARY);
  });

  it('reporting threats stops the check-in, shows the route with the municipal contact, and keeps nothing of the person', async () => {
    const env = await setup();
    const { io, asked } = await checkIn(env, { kind: 'polarisation', signals: ['images'], safety: ['threats'] });
    expect(asked).toEqual(['kind', 'signals', 'safety']);
    const texts = io.texts().join('\n');
    expect(texts).toContain(translator.t('nl', 'safety.title'));
    expect(texts).not.toContain(translator.t('nl', 'result.title'));
    const facts = io.last()!.blocks.flatMap((b) => (b.type === 'facts' ? b.facts.map((f) => f.value) : []));
    expect(facts).toEqual(['Team OOV Voorbeeld', '14 0123']);
    // Only the consent: no answer, no result.
    expect((await env.store.keysOf(env.pseudonym)).filter((k) => !k.startsWith('dialog:'))).toEqual([
      consentKey(env.pseudonym),
    ]);
    expect((await env.store.getVersioned(dialogKey(env.pseudonym))).value).toBeUndefined();
  });

  it('doxing: the route gives the concrete steps and keeps nothing of the person', async () => {
    const env = await setup();
    const { io, asked } = await checkIn(env, { kind: 'both', signals: ['integrity'], safety: ['doxxing'] });
    expect(asked).toEqual(['kind', 'signals', 'safety']);
    const texts = io.texts().join('\n');
    for (const key of ['safety.doxxing.report', 'safety.doxxing.contact', 'safety.doxxing.brp'])
      expect(texts).toContain(translator.t('nl', key));
    expect(texts).not.toContain(translator.t('nl', 'result.title'));
    // Only the consent: no answer, no result.
    expect((await env.store.keysOf(env.pseudonym)).filter((k) => !k.startsWith('dialog:'))).toEqual([
      consentKey(env.pseudonym),
    ]);
  });
});
