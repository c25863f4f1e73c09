/**
 * Key rotation: PSEUDONYM_KEY and DATA_KEY take a versioned list, current first. A person's data under an older
 * pseudonym key moves to the current pseudonym at their next event (test/privacy/rekey.test.ts has the whole
 * person); values sealed under an older data key are read and sealed again under the current one when touched.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createPersonResolver, createPseudonymizer, parsePseudonymKeys } from '../../src/crypto/pseudonym.js';
import { createSealer, parseDataKeys } from '../../src/crypto/sealer.js';
import { createPersonMover } from '../../src/core/rekey.js';
import { silentLogger } from '../../src/logger.js';
import { createAddressBook } from '../../src/outbound/address-book.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { makeBot, person, recordingIO } from '../support/make-bot.js';

const OLD_P = 'old-pseudonym-key-0123456789abcdef0123456789';
const NEW_P = 'new-pseudonym-key-fedcba9876543210fedcba9876';
const OLD_D = '1'.repeat(64);
const NEW_D = '2'.repeat(64);
const user = { platform: 'console' as const, tenantId: 'T1', userId: 'UROT' };

/** The person index of `store`, counting its reads. */
function countingReads(store: MemoryStore) {
  const counting = {
    reads: 0,
    keysOf: async (person: string) => {
      counting.reads += 1;
      return store.keysOf(person);
    },
  };
  return counting;
}

describe('PSEUDONYM_KEY as a list', () => {
  it('reads v2:…,v1:… current first; a bare key is v1; refuses short keys and a version given twice', () => {
    expect(parsePseudonymKeys(OLD_P)).toEqual([{ version: 'v1', key: OLD_P }]);
    expect(parsePseudonymKeys(`v2:${NEW_P}, v1:${OLD_P}`).map((k) => k.version)).toEqual(['v2', 'v1']);
    expect(() => parsePseudonymKeys('v2:short')).toThrow(/at least 32/);
    expect(() => parsePseudonymKeys(`v1:${NEW_P},v1:${OLD_P}`)).toThrow(/twice/);
    expect(loadConfig({ PSEUDONYM_KEY: `v2:${NEW_P},v1:${OLD_P}`, BOT_LOCAL_MODE: '1' }, {}).pseudonymKey).toBe(
      `v2:${NEW_P},v1:${OLD_P}`,
    );
    expect(() => loadConfig({ PSEUDONYM_KEY: `v2:${NEW_P},v1:short`, BOT_LOCAL_MODE: '1' }, {})).toThrow(
      /PSEUDONYM_KEY/,
    );
  });

  it('a bare key and the same key as v1 give the same pseudonyms (nothing moves when the list is introduced)', () => {
    expect(createPseudonymizer(OLD_P)(user)).toBe(createPseudonymizer(parsePseudonymKeys(`v1:${OLD_P}`))(user));
  });

  it('moves a person found under the older key to the current pseudonym; anyone else just gets the current one', async () => {
    const store = new MemoryStore();
    const oldPseudonym = createPseudonymizer(OLD_P)(user);
    await store.set(`prefs:${oldPseudonym}`, { locale: 'en' });
    await store.track(oldPseudonym, `prefs:${oldPseudonym}`);
    const rotated = createPseudonymizer(parsePseudonymKeys(`v2:${NEW_P},v1:${OLD_P}`));
    const sealer = createSealer(parseDataKeys(OLD_D));
    const book = { rekeyPerson: async () => undefined };
    const move = createPersonMover({ store, sealer, book, features: [], log: silentLogger() });
    const resolve = createPersonResolver(rotated, store, move);
    const current = rotated(user);
    expect(current).not.toBe(oldPseudonym);
    expect(await resolve(user)).toBe(current);
    expect(await store.keysOf(oldPseudonym)).toEqual([]);
    expect(await store.keysOf(current)).toEqual([`prefs:${current}`]);
    expect(await store.get(`prefs:${current}`)).toEqual({ locale: 'en' });
    expect(await store.get(`prefs:${oldPseudonym}`)).toBeUndefined();
    expect(await resolve({ ...user, userId: 'UNEW' })).toBe(rotated({ ...user, userId: 'UNEW' }));
  });

  it('with one key the resolver is the pseudonymizer: no store read, no move', async () => {
    const store = new MemoryStore();
    const counting = countingReads(store);
    const resolve = createPersonResolver(createPseudonymizer(OLD_P), counting, async () => {
      throw new Error('nothing to move with one key');
    });
    expect(await resolve(user)).toBe(createPseudonymizer(OLD_P)(user));
    expect(counting.reads).toBe(0);
  });

  it('during a rotation each person is looked up under the older key once per process, not at every event', async () => {
    const store = new MemoryStore();
    const counting = countingReads(store);
    const rotated = createPseudonymizer(parsePseudonymKeys(`v2:${NEW_P},v1:${OLD_P}`));
    const resolve = createPersonResolver(rotated, counting, async () => undefined);
    for (let n = 0; n < 3; n++) expect(await resolve(user)).toBe(rotated(user));
    expect(counting.reads).toBe(1);
    await resolve({ ...user, userId: 'UOTHER' });
    expect(counting.reads).toBe(2);
  });

  it('through the bot: a language chosen under v1 still holds after the rotation to v2, now under the v2 pseudonym', async () => {
    const store = new MemoryStore();
    const before = await makeBot({ store, env: { PSEUDONYM_KEY: OLD_P } });
    await before.receive(person('UROT').says('taal en'), recordingIO());
    const after = await makeBot({ store, env: { PSEUDONYM_KEY: `v2:${NEW_P},v1:${OLD_P}` } });
    const io = recordingIO();
    await after.receive(person('UROT').says('help'), io);
    expect(io.texts().join('\n')).toContain('This is what I can do');
    const oldPseudonym = createPseudonymizer(OLD_P)(user);
    const newPseudonym = after.pseudonymize(user);
    expect(await store.keysOf(oldPseudonym)).toEqual([]);
    expect(await store.keysOf(newPseudonym)).toContain(`prefs:${newPseudonym}`);
    // "Forget me" after the rotation reaches the moved data.
    const asked = recordingIO();
    await after.receive(person('UROT').says('forget me'), asked);
    const confirm = asked
      .last()
      ?.blocks.flatMap((b) => (b.type === 'buttons' ? b.buttons : []))
      .find((b) => b.route.verb === 'confirm');
    expect(confirm).toBeDefined();
    await after.receive(person('UROT').clicks({ route: confirm!.route }), recordingIO());
    expect(await store.keysOf(newPseudonym)).toEqual([]);
    expect(await store.keysOf(oldPseudonym)).toEqual([]);
  });
});

describe('DATA_KEY rotation', () => {
  it('an address sealed under v1 is read with v2,v1 and sealed again under v2 when touched', async () => {
    const store = new MemoryStore();
    const hash = (...parts: string[]) => parts.join('.');
    const old = createAddressBook({ store, sealer: createSealer(parseDataKeys(OLD_D)), hash, personTtlMs: 60_000 });
    const address = await old.rememberPerson('p1', user, {
      platform: 'console',
      tenantId: 'T1',
      conversationId: 'D1',
      isDirect: true,
    });
    expect(String(await store.get('address:person:p1'))).toMatch(/^v1\./);
    const sealer = createSealer(parseDataKeys(`v2:${NEW_D},v1:${OLD_D}`));
    const rotated = createAddressBook({ store, sealer, hash, personTtlMs: 60_000 });
    const found = await rotated.lookup(address);
    expect(found.ok && found.entry.user?.userId).toBe('UROT');
    expect(String(await store.get('address:person:p1'))).toMatch(/^v2\./);
    // The old key can go now: the value opens with v2 alone.
    const only = createAddressBook({ store, sealer: createSealer(parseDataKeys(`v2:${NEW_D}`)), hash, personTtlMs: 1 });
    expect((await only.lookup(address)).ok).toBe(true);
  });

  it('sealing an address again under v2 keeps the time it had left, not a new full term', async () => {
    let clock = 1_000_000;
    const now = () => clock;
    const store = new MemoryStore({ now });
    const hash = (...parts: string[]) => parts.join('.');
    const old = createAddressBook({ store, sealer: createSealer(parseDataKeys(OLD_D)), hash, personTtlMs: 1000, now });
    const address = await old.rememberPerson('p1', user);
    clock += 600;
    const sealer = createSealer(parseDataKeys(`v2:${NEW_D},v1:${OLD_D}`));
    const rotated = createAddressBook({ store, sealer, hash, personTtlMs: 1000, now });
    const found = await rotated.lookup(address);
    expect(found).toEqual({ ok: true, entry: { user } });
    expect(String(await store.get('address:person:p1'))).toMatch(/^v2\./);
    // Marked unreachable: not the person's activity either, so no new term.
    await rotated.markUnreachable(address, clock);
    clock += 300;
    expect((await rotated.lookup(address)).ok).toBe(true);
    clock += 101;
    expect(await rotated.lookup(address)).toEqual({ ok: false, reason: 'unknown' });
  });

  it("an adapter's vault value (a Slack token) sealed under v1 is sealed again under v2 when read", async () => {
    const store = new MemoryStore();
    const before = await makeBot({ store, env: { DATA_KEY: OLD_D } });
    await before.hostFor('slack').vault.set('installation:T1', { botToken: 'xoxb-rotate-me' });
    const after = await makeBot({ store, env: { DATA_KEY: `v2:${NEW_D},v1:${OLD_D}` } });
    expect(await after.hostFor('slack').vault.get('installation:T1')).toEqual({ botToken: 'xoxb-rotate-me' });
    const page = await store.list<string>('vault:');
    expect(page.entries.length).toBe(1);
    expect(page.entries[0]?.value).toMatch(/^v2\./);
    expect(JSON.stringify(page.entries)).not.toContain('xoxb-rotate-me');
  });
});
