/**
 * The outbound policy on Redis: two policies with their own connections (as two replicas) share windows and
 * pauses; only keyed hashes reach Redis; and with Redis away the in-process counters and pauses still hold.
 * Real clocks: Redis expires keys on its own time.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKeyedHash } from '../../src/crypto/pseudonym.js';
import { RateLimitedError } from '../../src/errors.js';
import { createOutboundPolicy, type OutboundPolicy, type RateScope } from '../../src/outbound/policy.js';
import type { RedisClient } from '../../src/store/redis-connections.js';
import {
  connectTestClient,
  deleteNamespace,
  keysUnder,
  redisAvailable,
  type TestRedisClient,
  uniqueNamespace,
} from '../support/redis.js';

const hash = createKeyedHash('policy-redis-test-key-0123456789abcdef');
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe.skipIf(!redisAvailable)('outbound policy shared through Redis', () => {
  let clients: TestRedisClient[] = [];
  const namespaces: string[] = [];
  beforeAll(async () => {
    clients = [await connectTestClient(), await connectTestClient(), await connectTestClient()];
  });
  afterEach(async () => {
    for (const ns of namespaces.splice(0)) await deleteNamespace(clients[2]!, ns);
  });
  afterAll(() => {
    for (const c of clients) if (c.isOpen) c.destroy();
  });

  /** Two replicas: one policy each, each on its own Redis connection, one key prefix. */
  const replicas = (): [OutboundPolicy, OutboundPolicy, string] => {
    const keyPrefix = uniqueNamespace();
    namespaces.push(keyPrefix);
    const make = (client: TestRedisClient) =>
      createOutboundPolicy({ keyPrefix }, { platform: 'slack', hash, redis: client as RedisClient });
    return [make(clients[0]!), make(clients[1]!), keyPrefix];
  };

  it('a window filled by one replica refuses the other, with the wait until it ends', async () => {
    const [a, b] = replicas();
    const scope: RateScope = { key: 'post:T0SECRET:C0SECRET', windows: [{ points: 2, durationMs: 1_000 }] };
    await a.take([scope]);
    await b.take([scope]);
    const error = await rejection(a.take([scope]));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBeGreaterThan(0);
    expect((error as RateLimitedError).retryAfterMs).toBeLessThanOrEqual(1_000);
    await expect(b.take([scope])).rejects.toBeInstanceOf(RateLimitedError);
    // Another channel is not held up.
    await expect(b.take([{ ...scope, key: 'post:T0SECRET:C0OTHER' }])).resolves.toBeUndefined();
  });

  it('all or nothing across replicas: a refused send leaves no point behind in the other scope', async () => {
    const [a, b] = replicas();
    const channel: RateScope = { key: 'post:T1:C1', windows: [{ points: 1, durationMs: 10_000 }] };
    const workspace: RateScope = { key: 'post:T1', windows: [{ points: 2, durationMs: 10_000 }] };
    await a.take([channel, workspace]);
    await expect(b.take([channel, workspace])).rejects.toBeInstanceOf(RateLimitedError);
    // The refused attempt gave its workspace point back: one slot is left for another channel.
    await b.take([{ ...channel, key: 'post:T1:C2' }, workspace]);
    await expect(a.take([{ ...channel, key: 'post:T1:C3' }, workspace])).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('a pause told to one replica holds in the other; a shorter one does not shorten it', async () => {
    const [a, b, prefix] = replicas();
    await a.pause('T0SECRET:chat.postMessage', 30_000);
    const left = await b.pausedFor('T0SECRET:chat.postMessage');
    expect(left).toBeGreaterThan(29_000);
    expect(left).toBeLessThanOrEqual(30_000);
    await b.pause('T0SECRET:chat.postMessage', 2_000);
    expect(await a.pausedFor('T0SECRET:chat.postMessage')).toBeGreaterThan(29_000);
    // A fresh replica (nothing in its own memory) still sees it.
    const c = createOutboundPolicy(
      { keyPrefix: prefix },
      { platform: 'slack', hash, redis: clients[2] as RedisClient },
    );
    expect(await c.pausedFor('T0SECRET:chat.postMessage')).toBeGreaterThan(29_000);
    expect(await c.pausedFor('T0SECRET:chat.update')).toBe(0);
  });

  it('a short pause ends on Redis too', async () => {
    const [a, b] = replicas();
    await a.pause('T1:users.info', 150);
    expect(await b.pausedFor('T1:users.info')).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await b.pausedFor('T1:users.info')).toBe(0);
  });

  it('only keyed hashes reach Redis: no team, channel or method name in any key', async () => {
    const [a, b, prefix] = replicas();
    await a.take([{ key: 'post:T0SECRET:C0SECRET', windows: [{ points: 5, durationMs: 1_000 }] }]);
    await a.pause('T0SECRET:chat.postMessage', 5_000);
    await b.take([{ key: 'conversation:19:geheim@thread.tacv2', windows: [{ points: 5, durationMs: 1_000 }] }]);
    const keys = await keysUnder(clients[2]!, prefix);
    expect(keys.length).toBe(3);
    for (const key of keys) {
      expect(key).not.toMatch(/SECRET|geheim|chat\.postMessage|conversation:/);
      expect(key).toMatch(new RegExp(`^${prefix}:slack:(w5-1s|pause):[A-Za-z0-9_-]{22}$`));
    }
  });

  it('with Redis away: the in-process counters keep limiting and pauses hold, without waiting', async () => {
    const gone = await connectTestClient();
    const keyPrefix = uniqueNamespace();
    const p = createOutboundPolicy({ keyPrefix }, { platform: 'slack', hash, redis: gone as RedisClient });
    gone.destroy();
    const scope: RateScope = { key: 'post:T1:C1', windows: [{ points: 2, durationMs: 1_000 }] };
    const started = Date.now();
    await p.take([scope]);
    await p.take([scope]);
    await expect(p.take([scope])).rejects.toBeInstanceOf(RateLimitedError);
    await p.pause('T1:chat.postMessage', 10_000);
    expect(await p.pausedFor('T1:chat.postMessage')).toBeGreaterThan(9_000);
    expect(Date.now() - started).toBeLessThan(500);
  });
});
