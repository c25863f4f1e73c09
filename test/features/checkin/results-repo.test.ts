import { join } from 'node:path';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import { tempDir } from '../../support/temp.js';
import { createSealer, parseDataKeys } from '../../../src/crypto/sealer.js';
import { TEST_DATA_KEY } from '../../support/make-bot.js';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/features/checkin/diagnosis.js';
import { createResultsRepo, minimiseAnswers } from '../../../src/features/checkin/results-repo.js';
import type { SentRef } from '../../../src/message/types.js';
import { checkinKeys as keys } from '../../../src/features/checkin/keys.js';
import { MemoryStore } from '../../../src/store/memory-store.js';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 0, 5, 9);
const PERSON = 'pseudonymA';
const OTHER = 'pseudonymB';
const answers = {
  role: 'raadslid',
  kind: 'conflict',
  signals: ['debating'],
  safety: 'none',
  voices: ['youth'],
  participation: ['meeting'],
  note: null,
};
const ref = (id: string): SentRef => ({
  conversation: { platform: 'console', tenantId: 'local', conversationId: 'c1', isDirect: true },
  messageId: id,
});

const sealer = createSealer(parseDataKeys(TEST_DATA_KEY));

function setup(retentionDays = 90) {
  let now = T0;
  const store = new MemoryStore({ now: () => now });
  let n = 0;
  const repo = createResultsRepo(store, { retentionDays, noteRetentionDays: 7, sealer, newId: () => `r${++n}` });
  return { store, repo, advance: (ms: number) => (now += ms), now: () => now };
}

const save = (
  repo: ReturnType<typeof setup>['repo'],
  person: string,
  now: number,
  extra: Record<string, unknown> = {},
) =>
  repo.save(person, {
    answers: { ...answers, ...extra } as never,
    diagnosis: diagnose({ ...answers, ...extra } as never),
    dialogVersion: 1,
    now,
  });

describe('results repository', () => {
  it('saves choices and the diagnosis under the pseudonym, for 24 hours unless the person keeps it', async () => {
    const { repo, store } = setup(30);
    const saved = await save(repo, PERSON, T0);
    expect(saved).toMatchObject({ id: 'r1', createdAt: T0, expiresAt: T0 + DAY, dialogVersion: 1, kept: false });
    expect(saved.diagnosis.track).toBe('conflict');
    expect(await repo.get(PERSON, 'r1', T0)).toEqual(saved);
    expect(await store.get(keys.result(PERSON, 'r1'))).toEqual(saved);
    // Another person cannot read it.
    expect(await repo.get(OTHER, 'r1', T0)).toBeUndefined();
  });

  it('keeps no free text in the result: the note lives apart, sealed', async () => {
    expect(
      minimiseAnswers({
        kind: 'both',
        note: { text: '  kort  ' },
        other: { text: 'free' },
        skipped: null,
        multi: ['a', 'b'],
      }),
    ).toEqual({ kind: 'both', multi: ['a', 'b'] });
    const { repo, store } = setup();
    expect((await save(repo, PERSON, T0, { note: { text: 'met de wijkagent' } })).answers).not.toHaveProperty('note');
    expect(await repo.setNote(PERSON, 'r1', '  met de wijkagent ', T0)).toBe(true);
    expect(await repo.note(PERSON, 'r1', T0)).toBe('met de wijkagent');
    const raw = await store.get<string>(keys.note(PERSON, 'r1'));
    expect(raw).not.toContain('wijkagent');
    expect(await store.keysOf(PERSON)).toContain(keys.note(PERSON, 'r1'));
    expect(await repo.setNote(PERSON, 'gone', 'x', T0)).toBe(false);
    expect(await repo.removeNote(PERSON, 'r1')).toBe(true);
    expect(await repo.note(PERSON, 'r1', T0)).toBeUndefined();
  });

  it('a result nobody kept is purged by the store after 24 hours', async () => {
    const env = setup(90);
    await save(env.repo, PERSON, env.now());
    await env.repo.setNote(PERSON, 'r1', 'notitie', env.now());
    env.advance(DAY - 1);
    expect(await env.repo.get(PERSON, 'r1', env.now())).toBeDefined();
    env.advance(2);
    expect(await env.store.get(keys.result(PERSON, 'r1'))).toBeUndefined();
    expect(await env.store.get(keys.note(PERSON, 'r1'))).toBeUndefined();
    expect(await env.store.get(keys.resultList(PERSON))).toBeUndefined();
    expect(await env.store.purgeExpired()).toBeGreaterThanOrEqual(0);
  });

  it('starting something else deletes results the person did not keep, with their notes', async () => {
    const { repo, store } = setup();
    await save(repo, PERSON, T0);
    await save(repo, PERSON, T0 + 1);
    await repo.setNote(PERSON, 'r1', 'weg', T0);
    await repo.markKept(PERSON, 'r2', T0 + 2);
    expect(await repo.dropUnkept(PERSON, T0 + 3)).toEqual(['r1']);
    expect(await store.get(keys.result(PERSON, 'r1'))).toBeUndefined();
    expect(await store.get(keys.note(PERSON, 'r1'))).toBeUndefined();
    expect((await repo.list(PERSON, T0 + 3)).map((r) => r.id)).toEqual(['r2']);
    expect(await repo.dropUnkept(PERSON, T0 + 4)).toEqual([]);
  });

  it('the note expires on its own (NOTE_RETENTION_DAYS), before a kept result', async () => {
    const env = setup(90);
    await save(env.repo, PERSON, env.now());
    await env.repo.setNote(PERSON, 'r1', 'notitie', env.now());
    await env.repo.markKept(PERSON, 'r1', env.now());
    env.advance(7 * DAY - 1);
    expect(await env.repo.note(PERSON, 'r1', env.now())).toBe('notitie');
    env.advance(2);
    // Purged by the store (its TTL), not only hidden; the result itself stays.
    expect(await env.store.get(keys.note(PERSON, 'r1'))).toBeUndefined();
    expect(await env.repo.get(PERSON, 'r1', env.now())).toBeDefined();
  });

  it('tracks every key it writes, so "vergeet mij" removes everything', async () => {
    const { repo, store } = setup();
    await save(repo, PERSON, T0);
    await repo.rememberSent(PERSON, 'r1', ref('m1'), T0);
    await repo.recordUseful(PERSON, 'r1', 'yes', T0);
    expect(await store.keysOf(PERSON)).toEqual(
      [
        keys.result(PERSON, 'r1'),
        keys.resultList(PERSON),
        keys.sentForResult(PERSON, 'r1'),
        keys.usefulVoted(PERSON, 'r1'),
      ].sort(),
    );
    await store.forget(PERSON);
    expect(await repo.list(PERSON, T0)).toEqual([]);
    expect(await store.get(keys.sentForResult(PERSON, 'r1'))).toBeUndefined();
    // The anonymous counter stays: it holds no person.
    expect((await repo.usefulCounts()).yes).toBe(1);
  });

  it('the note is purged from the SQLite file when its own retention ends; the kept result stays', async () => {
    let offset = 0;
    const path = join(tempDir('bb-note-'), 'bb.sqlite');
    // Keyv stamps expiry with Date.now; the purge reads this clock, moved on by `offset`.
    const sqlite = openSqliteStore({ path, purgeIntervalMs: 0, now: () => Date.now() + offset });
    try {
      const repo = createResultsRepo(sqlite, { retentionDays: 90, noteRetentionDays: 7, sealer, newId: () => 'r1' });
      const now = Date.now();
      await save(repo, PERSON, now);
      await repo.markKept(PERSON, 'r1', now);
      await repo.setNote(PERSON, 'r1', 'notitie-op-schijf', now);
      const rows = () => (sqlite.db.prepare('SELECT key FROM kv_values').all() as { key: string }[]).map((r) => r.key);
      expect(rows()).toContain(keys.note(PERSON, 'r1'));
      offset = 7 * DAY + 60_000;
      expect(await sqlite.purgeExpired()).toBeGreaterThanOrEqual(1);
      expect(rows()).not.toContain(keys.note(PERSON, 'r1'));
      expect(rows()).toContain(keys.result(PERSON, 'r1'));
    } finally {
      await sqlite.close();
    }
  });

  it('lists the person’s results newest first, within the retention period only', async () => {
    // The store's clock and the turn's `now` move together, as in the bot.
    const env = setup(10);
    await save(env.repo, PERSON, env.now());
    await env.repo.markKept(PERSON, 'r1', env.now());
    await save(env.repo, OTHER, env.now());
    await env.repo.markKept(OTHER, 'r2', env.now());
    env.advance(3 * DAY);
    await save(env.repo, PERSON, env.now());
    await env.repo.markKept(PERSON, 'r3', env.now());
    expect((await env.repo.list(PERSON, env.now())).map((r) => r.id)).toEqual(['r3', 'r1']);
    expect((await env.repo.list(OTHER, env.now())).map((r) => r.id)).toEqual(['r2']);
    env.advance(7 * DAY + 1);
    expect((await env.repo.list(PERSON, env.now())).map((r) => r.id)).toEqual(['r3']);
    expect(await env.repo.get(PERSON, 'r1', env.now())).toBeUndefined();
    // The store itself expires it too (TTL), not only the repository's filter.
    expect(await env.store.get(keys.result(PERSON, 'r1'))).toBeUndefined();
    env.advance(3 * DAY);
    expect(await env.repo.list(PERSON, env.now())).toEqual([]);
    expect(await env.store.get(keys.resultList(PERSON))).toBeUndefined();
  });

  it('forget deletes the result and returns the messages that showed it', async () => {
    const { repo, store } = setup();
    await save(repo, PERSON, T0);
    await save(repo, PERSON, T0 + 1);
    await repo.rememberSent(PERSON, 'r1', ref('m1'), T0);
    await repo.rememberSent(PERSON, 'r1', ref('m2'), T0);
    const outcome = await repo.remove(PERSON, 'r1', T0 + 2);
    expect(outcome.removed).toBe(true);
    expect(outcome.sent.map((s) => s.messageId)).toEqual(['m1', 'm2']);
    expect(await store.get(keys.result(PERSON, 'r1'))).toBeUndefined();
    expect(await store.get(keys.sentForResult(PERSON, 'r1'))).toBeUndefined();
    expect((await repo.list(PERSON, T0 + 2)).map((r) => r.id)).toEqual(['r2']);
    expect(await repo.remove(PERSON, 'r1', T0 + 2)).toEqual({ removed: false, sent: [] });
  });

  it('remembers the messages sealed: no workspace, chat id or Teams serviceUrl readable in the store', async () => {
    const { repo, store } = setup();
    await save(repo, PERSON, T0);
    const teams: SentRef = {
      conversation: {
        platform: 'teams',
        tenantId: 'tenant-7f3a',
        conversationId: 'a:1dm-conversation-9c',
        isDirect: true,
        extra: { serviceUrl: 'https://smba.trafficmanager.net/emea/' },
      },
      messageId: 'activity-55',
    };
    await repo.rememberSent(PERSON, 'r1', teams, T0);
    const raw = JSON.stringify(await store.get(keys.sentForResult(PERSON, 'r1')));
    for (const id of ['tenant-7f3a', 'a:1dm-conversation-9c', 'smba.trafficmanager', 'activity-55'])
      expect(raw).not.toContain(id);
    expect(await repo.sentFor(PERSON, 'r1')).toEqual([teams]);
    await repo.markKept(PERSON, 'r1', T0 + 1);
    expect(JSON.stringify(await store.get(keys.sentForResult(PERSON, 'r1')))).not.toContain('tenant-7f3a');
  });

  it('the messages of a dropped or expired result stay known to "vergeet mij" until RETENTION_DAYS', async () => {
    const { repo, store, advance } = setup(30);
    await save(repo, PERSON, T0);
    await save(repo, PERSON, T0 + 1);
    await repo.rememberSent(PERSON, 'r1', ref('m1'), T0);
    await repo.rememberSent(PERSON, 'r2', ref('m2'), T0 + 1);
    // r1 is dropped when the person starts something else; r2 expires after 24 hours.
    expect(await repo.dropUnkept(PERSON, T0 + 2)).toEqual(['r1', 'r2']);
    expect(await store.get(keys.result(PERSON, 'r1'))).toBeUndefined();
    expect((await repo.sentMessages(PERSON, T0 + 2)).map((s) => s.messageId).sort()).toEqual(['m1', 'm2']);
    expect((await repo.sentMessages(PERSON, T0 + 2 * DAY)).map((s) => s.messageId).sort()).toEqual(['m1', 'm2']);
    expect(await store.keysOf(PERSON)).toContain(keys.sentForResult(PERSON, 'r1'));
    // Never beyond the retention period of a kept result.
    advance(30 * DAY + 2);
    expect(await store.get(keys.sentForResult(PERSON, 'r1'))).toBeUndefined();
    expect(await repo.sentMessages(PERSON, T0 + 30 * DAY + 2)).toEqual([]);
  });

  it('still reads messages remembered unsealed by an older version, and seals them when one is added', async () => {
    const { repo, store } = setup();
    await save(repo, PERSON, T0);
    await store.track(PERSON, keys.sentForResult(PERSON, 'r1'));
    await store.set(keys.sentForResult(PERSON, 'r1'), [ref('m0')]);
    expect((await repo.sentMessages(PERSON, T0)).map((s) => s.messageId)).toEqual(['m0']);
    await repo.rememberSent(PERSON, 'r1', ref('m1'), T0);
    expect(typeof (await store.get(keys.sentForResult(PERSON, 'r1')))).toBe('string');
    expect((await repo.sentFor(PERSON, 'r1')).map((s) => s.messageId)).toEqual(['m0', 'm1']);
    // Keeping the result seals them as well, for as long as the result.
    await store.set(keys.sentForResult(PERSON, 'r1'), [ref('m0')], DAY);
    await repo.markKept(PERSON, 'r1', T0 + 1);
    expect(typeof (await store.get(keys.sentForResult(PERSON, 'r1')))).toBe('string');
  });

  it('checkpoints the journal after a note or an unkept result is deleted', async () => {
    const { repo, store } = setup();
    let checkpoints = 0;
    Object.assign(store, {
      checkpoint: async () => {
        checkpoints += 1;
        return true;
      },
    });
    await save(repo, PERSON, T0);
    await repo.setNote(PERSON, 'r1', 'weg ermee', T0);
    expect(await repo.removeNote(PERSON, 'r1')).toBe(true);
    expect(checkpoints).toBe(1);
    await repo.dropUnkept(PERSON, T0 + 1);
    expect(checkpoints).toBe(2);
  });

  it('keep extends the result to RETENTION_DAYS from when it was made, no further', async () => {
    const { repo } = setup(5);
    await save(repo, PERSON, T0);
    const kept = await repo.markKept(PERSON, 'r1', T0 + DAY / 2);
    expect(kept).toMatchObject({ kept: true, expiresAt: T0 + 5 * DAY });
    expect((await repo.get(PERSON, 'r1', T0 + DAY))?.kept).toBe(true);
    expect((await repo.list(PERSON, T0 + 4 * DAY)).map((r) => r.id)).toEqual(['r1']);
    expect(await repo.get(PERSON, 'r1', T0 + 5 * DAY + 1)).toBeUndefined();
    expect(await repo.markKept(PERSON, 'nope', T0)).toBeUndefined();
  });

  it('counts "useful" once per result, without the person, and only real votes', async () => {
    const { repo, store } = setup();
    await save(repo, PERSON, T0);
    expect(await repo.recordUseful(PERSON, 'r1', 'partly', T0)).toBe(true);
    expect(await repo.recordUseful(PERSON, 'r1', 'yes', T0)).toBe(false);
    expect(await repo.recordUseful(PERSON, 'r1', 'maybe', T0)).toBe(false);
    expect(await repo.recordUseful(PERSON, 'unknown', 'yes', T0)).toBe(false);
    expect(await repo.usefulCounts()).toEqual({ yes: 0, partly: 1, no: 0 });
    expect(keys.counter('useful:partly')).not.toContain(PERSON);
    expect(await store.counter(keys.counter('useful:partly'))).toBe(1);
  });

  it('counts safety routes without a person', async () => {
    const { repo, store } = setup();
    await repo.countSafetyRoute();
    await repo.countSafetyRoute();
    expect(await repo.safetyRoutesShown()).toBe(2);
    expect(await store.keysOf(PERSON)).toEqual([]);
  });
});
