/**
 * Consent before the check-in, through the real bot: the card comes before the first political question, "nee"
 * keeps nothing, "ja" keeps the version and the moment sealed, the same version is not asked again, a new version
 * is, and "intrekken" forgets the person at once; an old button of theirs is then explained and stores nothing.
 */
import { describe, expect, it } from 'vitest';
import { createPseudonymizer } from '../../../src/crypto/pseudonym.js';
import { createSealer, parseDataKeys } from '../../../src/crypto/sealer.js';
import { dialogKey } from '../../../src/dialog/runner.js';
import { CONSENT_VERSION, consentKey, type ConsentRecord } from '../../../src/features/privacy/consent.js';
import { createTranslator } from '../../../src/i18n/translator.js';
import type { ActionPayload, InboundEvent } from '../../../src/message/types.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import {
  buttonsOf,
  makeBot,
  person,
  questionBlock,
  recordingIO,
  TEST_DATA_KEY,
  TEST_PSEUDONYM_KEY,
} from '../../support/make-bot.js';

const translator = createTranslator({ dir: 'dialogs' });
const nl = (key: string, vars?: Record<string, string | number>) => translator.t('nl', key, vars);
const sealer = createSealer(parseDataKeys(TEST_DATA_KEY));
const T0 = Date.UTC(2026, 10, 29, 12);

async function setup(platform: InboundEvent['platform'] = 'console') {
  const store = new MemoryStore({ now: () => T0 });
  const bot = await makeBot({ store, now: () => T0 });
  const userId = `U${Math.random().toString(36).slice(2, 8)}`;
  const user = person(userId, platform);
  const pseudonym = createPseudonymizer(TEST_PSEUDONYM_KEY)({ platform, tenantId: 'T1', userId });
  const turn = async (event: InboundEvent) => {
    const io = recordingIO();
    await bot.receive(event, io);
    return io;
  };
  return {
    store,
    user,
    pseudonym,
    turn,
    say: (text: string) => turn(user.says(text)),
    click: (action: ActionPayload) => turn(user.clicks(action)),
  };
}

describe('consent before the check-in', () => {
  it('asks before the first question, and "nee, liever niet" keeps nothing at all', async () => {
    const env = await setup();
    const io = await env.say('checkin');
    const card = io.last()!;
    expect(questionBlock(card)).toBeUndefined();
    expect(card.text).toContain(nl('privacy.consent.title'));
    expect(card.text).toContain(nl('privacy.consent.text', { platform: 'console', days: 90, noteDays: 7 }));
    expect([...buttonsOf(card).keys()]).toEqual([nl('privacy.consent.yes'), nl('privacy.consent.no')]);
    expect(await env.store.keysOf(env.pseudonym)).toEqual([]);

    const no = await env.click(buttonsOf(card).get(nl('privacy.consent.no'))!);
    expect(no.texts().join('\n')).toContain(nl('privacy.consent.declined'));
    expect(await env.store.keysOf(env.pseudonym)).toEqual([]);
    expect((await env.store.getVersioned(dialogKey(env.pseudonym))).value).toBeUndefined();
  });

  it('names what the chat platform keeps itself, per platform', async () => {
    for (const [platform, words] of [
      ['slack', 'Slack bewaart de chat zelf ook'],
      ['teams', 'Teams bewaart de chat zelf ook'],
    ] as const) {
      const env = await setup(platform);
      expect((await env.say('checkin')).texts().join('\n')).toContain(words);
    }
    const terminal = await setup('console');
    expect((await terminal.say('checkin')).texts().join('\n')).not.toContain('bewaart de chat');
  });

  it('"ja, ik doe mee" keeps the version and the moment, sealed, and opens the first question', async () => {
    const env = await setup();
    const card = (await env.say('checkin')).last()!;
    const yes = await env.click(buttonsOf(card).get(nl('privacy.consent.yes'))!);
    expect(questionBlock(yes.last())?.route.data?.s).toBe('kind');
    const raw = await env.store.get<string>(consentKey(env.pseudonym));
    expect(typeof raw).toBe('string');
    expect(raw).not.toContain('version');
    expect(sealer.open<ConsentRecord>(raw!, consentKey(env.pseudonym))).toEqual({ version: CONSENT_VERSION, at: T0 });
    expect(await env.store.keysOf(env.pseudonym)).toContain(consentKey(env.pseudonym));
    // "Mijn gegevens" shows it, with the button that withdraws it.
    const mine = (await env.say('mijn gegevens')).last()!;
    expect(mine.text).toContain(nl('privacy.consent.given', { version: CONSENT_VERSION, date: '29 nov 2026' }));
    expect(buttonsOf(mine).has(nl('privacy.withdraw.button'))).toBe(true);
  });

  it('does not ask again for the same version, and asks again when the text changed', async () => {
    const env = await setup();
    await env.click(buttonsOf((await env.say('checkin')).last()).get(nl('privacy.consent.yes'))!);
    await env.say('stop');
    const again = await env.say('checkin');
    expect(again.texts().join('\n')).not.toContain(nl('privacy.consent.title'));
    expect(questionBlock(again.last())?.route.data?.s).toBe('kind');

    // A consent to an older text counts for nothing: the card comes back, and no answer can be given.
    const key = consentKey(env.pseudonym);
    await env.store.set(key, sealer.seal({ version: CONSENT_VERSION - 1, at: T0 }, key));
    await env.say('stop');
    const older = await env.say('checkin');
    expect(older.texts().join('\n')).toContain(nl('privacy.consent.title'));
    expect(questionBlock(older.last())).toBeUndefined();
  });

  it('a card of an older version shows the current text instead of counting as a yes', async () => {
    const env = await setup();
    const stale = await env.click({
      route: { feature: 'privacy', verb: 'consent', data: { v: String(CONSENT_VERSION + 1), d: 'checkin' } },
    });
    expect(stale.texts().join('\n')).toContain(nl('privacy.consent.title'));
    expect(await env.store.keysOf(env.pseudonym)).toEqual([]);
    // A dialog nobody owns is refused too.
    await env.click({ route: { feature: 'privacy', verb: 'consent', data: { v: String(CONSENT_VERSION), d: 'x' } } });
    expect(await env.store.keysOf(env.pseudonym)).toEqual([]);
  });

  it('"intrekken" stops the check-in and forgets the person; an old button is explained and stores nothing', async () => {
    const env = await setup();
    const yes = await env.click(buttonsOf((await env.say('checkin')).last()).get(nl('privacy.consent.yes'))!);
    const kind = questionBlock(yes.last())!;
    const signals = questionBlock((await env.click({ route: kind.route, choice: 'polarisation' })).last())!;
    expect(await env.store.keysOf(env.pseudonym)).toContain(dialogKey(env.pseudonym));

    const withdrawn = await env.say('intrekken');
    expect(withdrawn.texts().join('\n')).toContain(nl('privacy.withdraw.title'));
    expect(withdrawn.texts().join('\n')).toContain(nl('privacy.consent.deleted'));
    expect(await env.store.keysOf(env.pseudonym)).toEqual([]);
    expect(await env.store.get(consentKey(env.pseudonym))).toBeUndefined();

    // The old question's button: a short explanation, not an error, and no answer stored.
    const old = await env.click({ route: signals.route, values: ['images'] });
    expect(old.texts()).toEqual([nl('privacy.consent.notTakingPart')]);
    expect(buttonsOf(old.last()).has(nl('common.buttons.checkin'))).toBe(true);
    const back = await env.click({ route: { ...kind.route, verb: 'back' } });
    expect(back.texts()).toEqual([nl('privacy.consent.notTakingPart')]);
    expect(await env.store.keysOf(env.pseudonym)).toEqual([]);
    expect((await env.store.getVersioned(dialogKey(env.pseudonym))).value).toBeUndefined();

    // Withdrawing again: there was nothing left.
    expect((await env.say('withdraw')).texts()).toEqual([nl('privacy.withdraw.nothing')]);
  });

  it('a typed answer of a withdrawn person is not taken either', async () => {
    const env = await setup();
    await env.click(buttonsOf((await env.say('checkin')).last()).get(nl('privacy.consent.yes'))!);
    // Consent gone (expired) while the check-in is still open: the typed answer is refused, the state unchanged.
    await env.store.delete(consentKey(env.pseudonym));
    const before = await env.store.getVersioned(dialogKey(env.pseudonym));
    const typed = await env.say('Allebei');
    expect(typed.texts()).toEqual([nl('privacy.consent.notTakingPart')]);
    expect(await env.store.getVersioned(dialogKey(env.pseudonym))).toEqual(before);
  });

  it('the withdraw button of "mijn gegevens" forgets at once', async () => {
    const env = await setup();
    await env.click(buttonsOf((await env.say('checkin')).last()).get(nl('privacy.consent.yes'))!);
    const mine = (await env.say('mijn gegevens')).last()!;
    const done = await env.click(buttonsOf(mine).get(nl('privacy.withdraw.button'))!);
    // Said in a new message (the button may sit on a card that the erasure deletes); the open question's card
    // is retired in place.
    expect(
      done
        .sent()
        .map((m) => m.text)
        .join('\n'),
    ).toContain(nl('privacy.withdraw.title'));
    expect(await env.store.keysOf(env.pseudonym)).toEqual([]);
  });

  it('speaks English to someone who chose English', async () => {
    const env = await setup();
    await env.say('taal en');
    const card = (await env.say('checkin')).last()!;
    expect(card.text).toContain(translator.t('en', 'privacy.consent.title'));
    expect(buttonsOf(card).has("Yes, I'll take part")).toBe(true);
    expect(buttonsOf(card).has('No, rather not')).toBe(true);
  });
});
