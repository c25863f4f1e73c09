import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyedHash } from '../../src/crypto/pseudonym.js';
import { createSealer, parseDataKeys } from '../../src/crypto/sealer.js';
import { type Broadcaster, createBroadcaster } from '../../src/delivery/broadcaster.js';
import type { Recipient } from '../../src/delivery/ledger.js';
import type { BroadcastKind, ProgressState } from '../../src/delivery/types.js';
import { RateLimitedError, RecipientUnreachableError, AdapterError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import type { Address } from '../../src/outbound/address-book.js';
import { openMemoryQueue } from '../../src/queue/memory-queue.js';
import { openSqliteQueue } from '../../src/queue/sqlite-queue.js';
import { openMemoryStore, openRedisStore, openSqliteStore } from '../../src/store/create-store.js';
import type { KeyValueStore } from '../../src/store/store.js';
import type { JobQueue } from '../../src/queue/queue.js';
import { connectTestClient, deleteNamespace, redisAvailable, redisUrl, uniqueNamespace } from '../support/redis.js';
import { tempDir } from '../support/temp.js';
import { TEST_DATA_KEY } from '../support/make-bot.js';

const channel = (n: number): Address => ({ kind: 'channel', platform: 'slack', channel: `c${n}` });
const personAt = (n: number): Address => ({ kind: 'person', platform: 'teams', person: `p${n}` });
type Outcome = 'ok' | Error;

interface Setup {
  store: KeyValueStore;
  queue: JobQueue;
  close(): Promise<void>;
}

const backends: [string, () => Promise<Setup>, boolean][] = [
  [
    'memory',
    async () => ({ store: openMemoryStore(), queue: openMemoryQueue({ pollMs: 10 }), close: async () => undefined }),
    true,
  ],
  [
    'sqlite',
    async () => {
      const store = openSqliteStore({ path: join(tempDir(), 'b.sqlite') });
      return { store, queue: openSqliteQueue(store, { pollMs: 10 }), close: () => store.close() };
    },
    true,
  ],
  [
    'redis store',
    async () => {
      const namespace = uniqueNamespace();
      const store = await openRedisStore({ url: redisUrl, namespace });
      const close = async () => {
        await store.close();
        const client = await connectTestClient();
        await deleteNamespace(client, namespace);
        client.destroy();
      };
      return { store, queue: openMemoryQueue({ pollMs: 10 }), close };
    },
    redisAvailable,
  ],
];

for (const [name, open, available] of backends) {
  describe.skipIf(!available)(`broadcaster on ${name}`, () => {
    let setup: Setup;
    let broadcaster: Broadcaster;
    const delivered: string[] = [];
    const updates: ProgressState[] = [];
    let script: (address: Address, attempt: number) => Outcome = () => 'ok';
    let pages: Recipient[][] = [];
    const audienceCalls: (string | undefined)[] = [];

    async function start(options: { maxAttempts?: number; quiet?: boolean; now?: () => number } = {}) {
      delivered.length = 0;
      updates.length = 0;
      audienceCalls.length = 0;
      setup = await open();
      const tries = new Map<string, number>();
      broadcaster = createBroadcaster({
        store: setup.store,
        queue: setup.queue,
        hash: createKeyedHash('broadcast-test-key-0123456789abcdef'),
        sealer: createSealer(parseDataKeys(TEST_DATA_KEY)),
        log: silentLogger(),
        deliver: async (address) => {
          const key = JSON.stringify(address);
          const attempt = (tries.get(key) ?? 0) + 1;
          tries.set(key, attempt);
          const outcome = script(address, attempt);
          if (outcome !== 'ok') throw outcome;
          delivered.push(key);
          return {
            conversation: { platform: 'console', tenantId: 't', conversationId: 'c', isDirect: true },
            messageId: 'm',
          };
        },
        update: async () => undefined,
        now: options.now,
        maxAttempts: options.maxAttempts ?? 10,
        concurrency: 8,
        quietHours: options.quiet ? { from: 0, to: 0, weekend: true } : 'off',
        timeZone: 'Europe/Amsterdam',
        retentionDays: 30,
        progressIntervalMs: 20,
        retryBaseMs: 10,
      });
      const kind: BroadcastKind = {
        async audience(_b, cursor) {
          audienceCalls.push(cursor);
          const index = cursor === undefined ? 0 : Number(cursor);
          return { recipients: pages[index] ?? [], ...(index + 1 < pages.length ? { next: String(index + 1) } : {}) };
        },
        message: async () => ({ text: 'hallo', blocks: [{ type: 'text', text: 'hallo' }] }),
        progress: async (_b, state) => {
          updates.push(state);
          return { text: 'p', blocks: [] };
        },
      };
      broadcaster.registerKind('test', kind);
      await broadcaster.start();
    }

    afterEach(async () => {
      await broadcaster.stop();
      await setup.close();
    });

    const create = (id: string, sendAt = Date.now()) =>
      broadcaster.create({
        id,
        kind: 'test',
        sendAt,
        createdBy: 'api',
        locale: 'nl',
        progress: {
          conversation: { platform: 'console', tenantId: 't', conversationId: 'c', isDirect: true },
          messageId: 'm',
        },
      });
    const finished = async (id: string) => {
      const deadline = Date.now() + 10_000;
      while ((await broadcaster.get(id))?.status !== 'done') {
        if (Date.now() > deadline) throw new Error('broadcast did not finish');
        await new Promise((r) => setTimeout(r, 20));
      }
      return broadcaster.counts(id);
    };

    it('delivers once to every recipient of every page, a recipient named twice included', async () => {
      pages = [
        [{ address: channel(1), label: 'c0' }, { address: personAt(1) }],
        [{ address: personAt(2) }, { address: personAt(1) }],
      ];
      await start();
      await create('b1');
      const counts = await finished('b1');
      expect(counts).toEqual({ pending: 0, sent: 3, failed: 0, blocked: 0, total: 3 });
      expect(delivered).toHaveLength(3);
      expect(new Set(delivered).size).toBe(3);
      expect(updates.at(-1)).toMatchObject({ done: true, counts: { sent: 3, total: 3 } });
    });

    it('counts no attempt for a send our own limiter held back, and holds no other platform with it', async () => {
      const slack = (n: number): Address => ({ kind: 'channel', platform: 'slack', channel: `s${n}` });
      pages = [[...[1, 2, 3].map((n) => ({ address: slack(n) })), ...[1, 2, 3].map((n) => ({ address: personAt(n) }))]];
      // Slack held back by our limiter five times (more than the attempts allowed), Teams free at once.
      const teamsDone: number[] = [];
      let slackFirstDone = 0;
      script = (address, attempt) => {
        if (address.platform === 'slack') {
          if (attempt <= 5) return new RateLimitedError('slack', 40, { held: true });
          slackFirstDone ||= Date.now();
        } else teamsDone.push(Date.now());
        return 'ok';
      };
      await start({ maxAttempts: 3 });
      await create('held');
      const counts = await finished('held');
      expect(counts).toEqual({ pending: 0, sent: 6, failed: 0, blocked: 0, total: 6 });
      const record = (await broadcaster.ledger.get('held', broadcaster.ledger.recipientId(slack(1)))).record;
      expect(record).toMatchObject({ status: 'sent', attempts: 1, lastStatus: 'ok' });
      // Teams went out while Slack was still held (the platforms have queues of their own).
      expect(Math.max(...teamsDone)).toBeLessThan(slackFirstDone);
      script = () => 'ok';
    });

    it('comes back after a rate limit, stops at a blocked or unknown recipient, fails after the last attempt', async () => {
      pages = [
        [
          { address: channel(1) },
          { address: channel(2), label: 'c1' },
          { address: channel(3) },
          { address: personAt(4) },
        ],
      ];
      script = (address, attempt) => {
        if (address.kind === 'channel' && address.channel === 'c1')
          return attempt === 1 ? new RateLimitedError('slack', 30) : 'ok';
        if (address.kind === 'channel' && address.channel === 'c2') return new RecipientUnreachableError('slack');
        if (address.kind === 'channel' && address.channel === 'c3')
          return new RecipientUnreachableError('slack', { reason: 'unknown' });
        return new AdapterError('teams', 'down');
      };
      await start({ maxAttempts: 3 });
      await create('b2');
      const counts = await finished('b2');
      expect(counts).toEqual({ pending: 0, sent: 1, failed: 2, blocked: 1, total: 4 });
      const rid = (a: Address) => broadcaster.ledger.recipientId(a);
      const record = async (a: Address) => (await broadcaster.ledger.get('b2', rid(a))).record;
      expect(await record(channel(1))).toMatchObject({ status: 'sent', attempts: 2, lastStatus: 'ok' });
      expect(await record(channel(2))).toMatchObject({
        status: 'blocked',
        attempts: 1,
        lastStatus: 'blocked',
        label: 'c1',
      });
      expect(await record(channel(3))).toMatchObject({ status: 'failed', attempts: 1, lastStatus: 'unknown' });
      expect(await record(personAt(4))).toMatchObject({ status: 'failed', attempts: 3, lastStatus: 'platform_error' });
      const failures = updates
        .at(-1)!
        .failures.map((f) => f.lastStatus)
        .sort();
      expect(failures).toEqual(['blocked', 'platform_error', 'unknown']);
      script = () => 'ok';
    });

    it('resumes preparing where it stopped, without expanding a page twice', async () => {
      pages = [[{ address: channel(1) }], [{ address: channel(2) }], [{ address: channel(3) }]];
      await start();
      let failedOnce = false;
      const original = pages[1]!;
      Object.defineProperty(pages, 1, {
        get() {
          if (!failedOnce) {
            failedOnce = true;
            throw new Error('store away');
          }
          return original;
        },
      });
      await create('b3');
      const counts = await finished('b3');
      expect(counts.sent).toBe(3);
      expect(audienceCalls).toEqual([undefined, '1', '1', '2']);
    });

    it('cancels a scheduled broadcast, and not one that is sending', async () => {
      pages = [[{ address: channel(1) }]];
      await start();
      await create('later', Date.now() + 60_000);
      expect(await broadcaster.cancel('later')).toBe('cancelled');
      expect((await broadcaster.get('later'))?.status).toBe('cancelled');
      expect(await setup.queue.has('p.later')).toBe(false);
      await create('now');
      await finished('now');
      expect(await broadcaster.cancel('now')).toBe('too-late');
      expect(await broadcaster.cancel('none')).toBe('not-found');
    });

    it('holds a direct message in quiet hours, and forgets a person with what was queued for them', async () => {
      pages = [[{ address: personAt(7), timeZone: 'Europe/Amsterdam' }, { address: channel(1) }]];
      // A Saturday noon in Amsterdam: quiet for direct messages all weekend; channels go.
      const saturday = Date.parse('2026-12-05T12:00:00+01:00');
      await start({ quiet: true, now: () => saturday });
      await create('q1');
      const deadline = Date.now() + 5000;
      while ((await broadcaster.counts('q1')).sent < 1 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      expect(await broadcaster.counts('q1')).toMatchObject({ pending: 1, sent: 1, total: 2 });
      const rid = broadcaster.ledger.recipientId(personAt(7));
      expect(await setup.queue.has(`s.q1.${rid}`)).toBe(true);
      expect(await broadcaster.forgetPerson('p7')).toBe(1);
      expect(await setup.queue.has(`s.q1.${rid}`)).toBe(false);
      expect(await broadcaster.counts('q1')).toMatchObject({ pending: 0, sent: 1, total: 1 });
      expect(delivered.some((d) => d.includes('p7'))).toBe(false);
    });
  });
}
