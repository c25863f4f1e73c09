/**
 * The outbound policy's Redis client (from src/store/redis-connections.ts, as the composition root hands it over)
 * when Redis is away: start-up does not hang (the limits then hold per process, with a warning), and when Redis goes
 * away later, sends fall back to the in-process counters at once instead of waiting in node-redis' offline queue.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { conversationRefOf } from '../../../adapters/teams/parse.js';
import { createKeyedHash } from '../../../src/crypto/pseudonym.js';
import { createOutboundPolicy } from '../../../src/outbound/policy.js';
import { createRedisConnections, type RedisConnections } from '../../../src/store/create-store.js';
import type { RedisClient } from '../../../src/store/redis-connections.js';
import { redisAvailable, redisUrl } from '../../support/redis.js';
import { activities, startConnector, startTeams } from './support/harness.js';

type Teams = Awaited<ReturnType<typeof startTeams>>;
/** The Teams policy as src/main.ts builds it: on the limiter connection when there is one. */
const policyOn = (redis: RedisClient | undefined) =>
  createOutboundPolicy({}, { platform: 'teams', hash: createKeyedHash('redis-down-test-key-0123456789abcd'), redis });
type Connector = Awaited<ReturnType<typeof startConnector>>;
const message = { text: 'Herinnering', blocks: [{ type: 'text' as const, text: 'Herinnering' }] };

/** A logger whose lines end up in `lines`. */
function capturingLogger() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines, raw: () => JSON.stringify(lines) };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP proxy to the test Redis that can be cut off, as if Redis went away. */
async function redisProxy(): Promise<{ url: string; cut(): Promise<void> }> {
  const target = new URL(redisUrl);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = new URL(redisUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    async cut() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

let teams: Teams | undefined;
let connector: Connector | undefined;
let connections: RedisConnections | undefined;
afterEach(async () => {
  await teams?.close();
  await connector?.close();
  await connections?.closeAll();
  teams = undefined;
  connector = undefined;
  connections = undefined;
});

describe('the limiter when Redis is away', () => {
  it('at start-up: the adapter starts anyway, warns, and sends with per-process limits', async () => {
    connector = await startConnector();
    const { log, lines, raw } = capturingLogger();
    const started = Date.now();
    connections = createRedisConnections(`redis://:s3cr3t-pass@127.0.0.1:${await closedPort()}`, { log });
    // As src/main.ts does: no limiter connection means per-process limits.
    const redis = await connections.client('limiter').catch(() => undefined);
    expect(redis).toBeUndefined();
    teams = await startTeams({ log, deps: { policy: policyOn(redis) } });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(lines.some((l) => l.level === 40 && l.redis === 'limiter' && /redis: cannot connect/.test(l.msg))).toBe(
      true,
    );
    expect(raw()).not.toContain('s3cr3t-pass');
    const sent = await teams.adapter.send(conversationRefOf(activities.personal(connector.url, 'x')), message);
    expect(sent.messageId).toMatch(/^sent-/);
  }, 15_000);

  it.skipIf(!redisAvailable)(
    'later: sends do not wait for Redis to come back',
    async () => {
      connector = await startConnector();
      const proxy = await redisProxy();
      const { log, lines } = capturingLogger();
      connections = createRedisConnections(proxy.url, { log });
      teams = await startTeams({ log, deps: { policy: policyOn(await connections.client('limiter')) } });
      const ref = conversationRefOf(activities.personal(connector.url, 'x'));
      expect((await teams.adapter.send(ref, message)).messageId).toMatch(/^sent-/);
      await proxy.cut();
      // Let the client notice and start reconnecting: sends now meet a client that is not ready.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = Date.now();
      const sent = await Promise.race([
        teams.adapter.send(ref, message),
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 3000)),
      ]);
      expect(sent).not.toBe('hung');
      expect(Date.now() - started).toBeLessThan(2000);
      expect(lines.some((l) => l.level === 40 && l.redis === 'limiter' && /redis connection error/.test(l.msg))).toBe(
        true,
      );
    },
    15_000,
  );
});
