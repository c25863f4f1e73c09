import { describe, expect, it } from 'vitest';
import { createInbox, INBOX_TTL_MS, RECOVERY_GRACE_MS } from '../../src/core/inbox.js';
import { createKeyedHash, createPseudonymizer } from '../../src/crypto/pseudonym.js';
import { createSealer, parseDataKeys } from '../../src/crypto/sealer.js';
import { silentLogger } from '../../src/logger.js';
import type { UserRef } from '../../src/message/types.js';
import { openMemoryStore } from '../../src/store/create-store.js';

const KEY = 'inbox-test-key-0123456789abcdef0123456789';
const user: UserRef = { platform: 'slack', tenantId: 'T1', userId: 'U-raw-1' };
const person = createPseudonymizer(KEY)(user);

function setup() {
  let now = 1_000_000;
  const store = openMemoryStore(() => now);
  const inbox = createInbox({
    store,
    hash: createKeyedHash(KEY),
    sealer: createSealer(parseDataKeys('c'.repeat(64))),
    pseudonymize: createPseudonymizer(KEY),
    log: silentLogger(),
    now: () => now,
  });
  return { store, inbox, advance: (ms: number) => (now += ms) };
}

describe('the inbox', () => {
  it('records an event once: a redelivery is told apart, with or without work to keep', async () => {
    const { inbox } = setup();
    expect(await inbox.accept('slack', 'Ev1')).toBe(true);
    expect(await inbox.accept('slack', 'Ev1')).toBe(false);
    expect(await inbox.accept('teams', 'Ev1')).toBe(true);
    expect(await inbox.accept('slack', 'Ev2', { payload: { n: 2 } })).toBe(true);
    expect(await inbox.accept('slack', 'Ev2', { payload: { n: 2 } })).toBe(false);
  });

  it('keeps the work sealed until it is finished; the event id is never stored', async () => {
    const { store, inbox } = setup();
    await inbox.accept('slack', 'Ev-raw-42', { payload: { text: 'CANARY-answer' }, user });
    const stored = JSON.stringify([await store.list(''), await store.indexRange('inbox:pending')]);
    expect(stored).toContain('inbox:slack:');
    expect(stored).not.toContain('CANARY-answer');
    expect(stored).not.toContain('Ev-raw-42');
    expect(stored).not.toContain('U-raw-1');
    expect(stored).not.toContain(person);
    await inbox.finish('slack', 'Ev-raw-42');
    expect(await store.indexCount('inbox:pending')).toBe(0);
    // Still a redelivery after it was finished.
    expect(await inbox.accept('slack', 'Ev-raw-42', { payload: {} })).toBe(false);
  });

  it('gives records ids that rise in the order they were recorded, so new rows sit together on disk', async () => {
    const { store, inbox, advance } = setup();
    for (let n = 0; n < 12; n++) {
      await inbox.accept('slack', `Ev${n}`, { payload: { n } });
      if (n % 3 === 0) advance(1);
    }
    const members = (await store.indexRange('inbox:pending')).entries.map((e) => e.member);
    expect(members).toHaveLength(12);
    // In the order recorded (the index's order, by score) and in the order of their text: the same.
    expect([...members].sort()).toEqual(members);
    expect(members.every((m) => m.startsWith('inbox:slack:'))).toBe(true);
  });

  it("files a claim under the platform's own time of the event when given: a redelivery with it is still caught", async () => {
    const { store, inbox } = setup();
    const sentAt = 1_764_000_000_000;
    expect(await inbox.accept('slack', 'Ev1', { payload: {}, sentAt })).toBe(true);
    expect(await inbox.accept('slack', 'Ev1', { payload: {}, sentAt })).toBe(false);
    expect(await inbox.accept('slack', 'Ev2', { payload: {}, sentAt })).toBe(true);
    const page = await store.list('event:slack:');
    // Claims are no plain values: look for them by trying to claim their keys again.
    expect(page.entries).toEqual([]);
    const time = sentAt.toString(36).padStart(9, '0');
    const hash = createKeyedHash(KEY)('event', 'slack', 'Ev1');
    expect(await store.claim(`event:slack:${time}:${hash}`, 1000)).toBe(false);
    // Not a time (a fraction, negative): filed by the hash alone, and still caught.
    expect(await inbox.accept('slack', 'Ev3', { payload: {}, sentAt: 1.5 })).toBe(true);
    expect(await inbox.accept('slack', 'Ev3', { payload: {}, sentAt: -1 })).toBe(false);
    expect(await store.claim(`event:slack:${createKeyedHash(KEY)('event', 'slack', 'Ev3')}`, 1000)).toBe(false);
  });

  it('finishes work a crashed process left behind, once its lease ran out, exactly once', async () => {
    const { inbox, advance } = setup();
    await inbox.accept('slack', 'Ev1', { payload: { n: 1 } });
    await inbox.accept('slack', 'Ev2', { payload: { n: 2 } });
    await inbox.finish('slack', 'Ev2');
    const replayed: unknown[] = [];
    const replayers = { slack: async (payload: unknown) => void replayed.push(payload) };
    // Still leased to the process that accepted it (it may be working on it).
    expect(await inbox.recover(replayers)).toEqual({ finished: 0, failed: 0 });
    advance(RECOVERY_GRACE_MS + 1);
    expect(await inbox.recover(replayers)).toEqual({ finished: 1, failed: 0 });
    expect(replayed).toEqual([{ n: 1 }]);
    expect(await inbox.recover(replayers)).toEqual({ finished: 0, failed: 0 });
    expect(replayed).toHaveLength(1);
  });

  it('does not run a record that another process finished after recovery read it', async () => {
    const { store, inbox, advance } = setup();
    await inbox.accept('slack', 'Ev1', { payload: { n: 1 } });
    advance(RECOVERY_GRACE_MS + 1);
    const [entry] = (await store.indexRange('inbox:pending')).entries;
    // Just as this recovery takes its lease, the record is finished elsewhere.
    const realClaim = store.claim.bind(store);
    store.claim = async (key, ttl) => {
      if (key.endsWith(':lease')) await store.indexRemove('inbox:pending', entry!.member);
      return realClaim(key, ttl);
    };
    const replayed: unknown[] = [];
    expect(await inbox.recover({ slack: async (p) => void replayed.push(p) })).toEqual({ finished: 0, failed: 0 });
    expect(replayed).toEqual([]);
    expect(await store.indexCount('inbox:pending')).toBe(0);
  });

  it('tries failing work again later, and gives it up after five attempts instead of looping', async () => {
    const { inbox, store, advance } = setup();
    await inbox.accept('slack', 'Ev1', { payload: { n: 1 } });
    let calls = 0;
    const failing = {
      slack: async () => {
        calls += 1;
        throw new Error('still broken');
      },
    };
    for (let round = 0; round < 8; round++) {
      advance(10 * 60_000);
      await inbox.recover(failing);
    }
    expect(calls).toBe(5);
    expect(await store.indexCount('inbox:pending')).toBe(0);
  });

  it('gives up a record older than a day, and one sealed with a DATA_KEY no longer configured, without running it', async () => {
    const { store, inbox, advance } = setup();
    await inbox.accept('slack', 'Ev-old', { payload: { n: 1 } });
    advance(INBOX_TTL_MS + 1);
    // Written by a process whose DATA_KEY this one does not hold.
    const other = createInbox({
      store,
      hash: createKeyedHash(KEY),
      sealer: createSealer(parseDataKeys('d'.repeat(64))),
      pseudonymize: createPseudonymizer(KEY),
      log: silentLogger(),
      now: () => 1_000_000 - RECOVERY_GRACE_MS - 1,
    });
    await other.accept('slack', 'Ev-foreign', { payload: { n: 2 } });
    expect(await store.indexCount('inbox:pending')).toBe(2);
    const replayed: unknown[] = [];
    expect(await inbox.recover({ slack: async (p) => void replayed.push(p) })).toEqual({ finished: 0, failed: 0 });
    expect(replayed).toEqual([]);
    expect(await store.indexCount('inbox:pending')).toBe(0);
  });

  it('a record the store cannot write is refused, and the event is not marked as seen', async () => {
    const { store, inbox } = setup();
    const realAdd = store.indexAdd.bind(store);
    let failing = true;
    store.indexAdd = async (index, member, score) => {
      if (failing && index === 'inbox:pending') throw new Error('disk full');
      return realAdd(index, member, score);
    };
    await expect(inbox.accept('slack', 'Ev1', { payload: {} })).rejects.toThrow('disk full');
    failing = false;
    // The platform's retry is accepted, not mistaken for a duplicate.
    expect(await inbox.accept('slack', 'Ev1', { payload: {} })).toBe(true);
  });

  it("\"vergeet mij\" drops the person's unfinished work, not the asking event's own and not other people's", async () => {
    const { store, inbox, advance } = setup();
    const other: UserRef = { platform: 'slack', tenantId: 'T1', userId: 'U-raw-2' };
    await inbox.accept('slack', 'Ev-crashed', { payload: { text: 'left by a crash' }, user });
    await inbox.accept('slack', 'Ev-other', { payload: { text: 'someone else' }, user: other });
    await inbox.accept('slack', 'Ev-forget', { payload: { text: 'vergeet mij' }, user });
    expect(await inbox.forget(user, { platform: 'slack', eventId: 'Ev-forget' })).toBe(1);
    expect(await inbox.forget(user, { platform: 'slack', eventId: 'Ev-forget' })).toBe(0);
    expect(await store.indexCount('inbox:pending')).toBe(2);
    await inbox.finish('slack', 'Ev-forget');
    advance(RECOVERY_GRACE_MS + 1);
    const replayed: unknown[] = [];
    await inbox.recover({ slack: async (p) => void replayed.push(p) });
    expect(replayed).toEqual([{ text: 'someone else' }]);
    expect(await store.indexCount('inbox:pending')).toBe(0);
  });

  it('work done while the store was away is not run again: the next recovery only drops its record', async () => {
    const { store, inbox, advance } = setup();
    await inbox.accept('slack', 'Ev1', { payload: { n: 1 } });
    const realRemove = store.indexRemove.bind(store);
    store.indexRemove = async () => {
      throw new Error('store away');
    };
    await expect(inbox.finish('slack', 'Ev1')).rejects.toThrow('store away');
    store.indexRemove = realRemove;
    advance(RECOVERY_GRACE_MS + 1);
    const replayed: unknown[] = [];
    await inbox.recover({ slack: async (p) => void replayed.push(p) });
    expect(replayed).toEqual([]);
    expect(await store.indexCount('inbox:pending')).toBe(0);
  });
});
