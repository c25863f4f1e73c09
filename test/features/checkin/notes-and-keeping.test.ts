/**
 * Through the real bot: the note that seems to name someone (keep, change, delete), the note's own retention,
 * and a result kept only when the person chooses "Bewaar mijn uitslag".
 */
import { describe, expect, it } from 'vitest';
import { createPseudonymizer } from '../../../src/crypto/pseudonym.js';
import { checkinKeys as keys } from '../../../src/features/checkin/keys.js';
import { createTranslator } from '../../../src/i18n/translator.js';
import { DAY_MS } from '../../../src/lib/time.js';
import type { ActionPayload, InboundEvent } from '../../../src/message/types.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { captureLogger } from '../../support/capture-logger.js';
import { buttonsOf, makeBot, person, questionBlock, recordingIO, TEST_PSEUDONYM_KEY } from '../../support/make-bot.js';

const translator = createTranslator({ dir: 'dialogs' });
const nl = (key: string, vars?: Record<string, string | number>) => translator.t('nl', key, vars);
const NAMED = 'Bellen met wethouder Canaryson';

async function setup() {
  let now = Date.UTC(2026, 10, 29, 12);
  const store = new MemoryStore({ now: () => now });
  const logger = captureLogger();
  const bot = await makeBot({ store, now: () => now, log: logger.log });
  const userId = `U${Math.random().toString(36).slice(2, 8)}`;
  const user = person(userId);
  const pseudonym = createPseudonymizer(TEST_PSEUDONYM_KEY)({ platform: 'console', tenantId: 'T1', userId });
  const turn = async (event: InboundEvent) => {
    const io = recordingIO();
    await bot.receive(event, io);
    return io;
  };
  const click = (action: ActionPayload) => turn(user.clicks(action));
  /** Agree, then answer every question with its first choice and `note` as the note. */
  const checkIn = async (note: string) => {
    let io = await turn(user.says('checkin'));
    const yes = buttonsOf(io.last()).get(nl('privacy.consent.yes'));
    if (yes) io = await click(yes);
    for (let guard = 0; guard < 15; guard++) {
      const q = questionBlock(io.last());
      if (!q) break;
      const first = 'choices' in q ? q.choices[0]!.id : '';
      io = await click(
        q.type === 'multi'
          ? { route: q.route, values: [first] }
          : q.type === 'input'
            ? { route: q.route, text: note }
            : { route: q.route, choice: first },
      );
    }
    return io;
  };
  return {
    store,
    logger,
    pseudonym,
    checkIn,
    click,
    say: (text: string) => turn(user.says(text)),
    advance: (ms: number) => (now += ms),
  };
}

/** The id of the person's one stored result (the person index may still list keys already deleted). */
async function resultIdOf(env: Awaited<ReturnType<typeof setup>>): Promise<string> {
  for (const key of await env.store.keysOf(env.pseudonym))
    if (key.startsWith('checkin:result:') && (await env.store.get(key)) !== undefined) return key.split(':').at(-1)!;
  throw new Error('no stored result');
}

describe('the note and the kept result, through the bot', () => {
  it('a note that seems to name someone: the person may keep it, change it or delete it; never logged', async () => {
    const env = await setup();
    const io = await env.checkIn(NAMED);
    const warning = io.sent().at(-1)!;
    expect(warning.text).toContain(nl('result.noteCheck.warning'));
    const id = await resultIdOf(env);
    expect(await env.store.get<string>(keys.note(env.pseudonym, id))).toBeDefined();

    // "Aanpassen": a field to write it again; the new words replace the note.
    const editor = await env.click(buttonsOf(warning).get(nl('result.noteCheck.edit'))!);
    const field = questionBlock(editor.last())!;
    expect(field.type).toBe('input');
    const changed = await env.click({ route: field.route, text: 'Bellen met de wethouder' });
    expect(changed.texts()).toContain(nl('result.noteCheck.changed'));
    expect((await env.say('mijn resultaten')).texts().join('\n')).toContain('Bellen met de wethouder');

    // A name again: asked again; "Zo laten" keeps it; "Notitie wissen" deletes it.
    const again = await env.click({ route: field.route, text: NAMED });
    expect(again.texts()).toContain(nl('result.noteCheck.warning'));
    const kept = await env.click(buttonsOf(again.last()).get(nl('result.noteCheck.keep'))!);
    expect(kept.texts()).toEqual([nl('result.noteCheck.kept')]);
    await env.click(buttonsOf(again.last()).get(nl('result.noteCheck.remove'))!);
    expect(await env.store.get(keys.note(env.pseudonym, id))).toBeUndefined();
    expect(env.logger.text()).not.toContain('Canaryson');
  });

  it('a note without a name is not questioned', async () => {
    const env = await setup();
    const io = await env.checkIn('Volgende week met de wijkagent praten');
    expect(io.texts().join('\n')).not.toContain(nl('result.noteCheck.warning'));
  });

  it('a result not kept goes when the person starts something else; a kept one stays', async () => {
    const env = await setup();
    await env.checkIn('');
    const first = await resultIdOf(env);
    await env.say('leer');
    expect(await env.store.get(keys.result(env.pseudonym, first))).toBeUndefined();

    const io = await env.checkIn('');
    const second = await resultIdOf(env);
    const result = io.sent().find((m) => buttonsOf(m).has(nl('result.buttons.keep')))!;
    const keep = await env.click(buttonsOf(result).get(nl('result.buttons.keep'))!);
    expect(keep.texts().join('\n')).toContain('Bewaard.');
    await env.say('leer');
    await env.say('checkin');
    expect(await env.store.get(keys.result(env.pseudonym, second))).toBeDefined();
    // Kept for RETENTION_DAYS: still there after a day, which an unkept result would not be.
    env.advance(2 * DAY_MS);
    expect(await env.store.get(keys.result(env.pseudonym, second))).toBeDefined();
  });

  it('"opnieuw beginnen" on a result not kept drops it before the new check-in starts', async () => {
    const env = await setup();
    const io = await env.checkIn('');
    const first = await resultIdOf(env);
    const result = io.sent().find((m) => buttonsOf(m).has(nl('result.buttons.restart')))!;
    await env.click(buttonsOf(result).get(nl('result.buttons.restart'))!);
    expect(await env.store.get(keys.result(env.pseudonym, first))).toBeUndefined();
  });

  it('a result not kept is purged by the store after 24 hours', async () => {
    const env = await setup();
    await env.checkIn('Notitie voor mezelf');
    const id = await resultIdOf(env);
    env.advance(DAY_MS + 1);
    expect(await env.store.get(keys.result(env.pseudonym, id))).toBeUndefined();
    expect(await env.store.get(keys.note(env.pseudonym, id))).toBeUndefined();
  });
});
