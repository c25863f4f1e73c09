/**
 * Redis for the test suites: where it is, whether it answers, and a unique namespace per run.
 *
 * When Redis does not answer, the Redis suites are skipped with a loud warning, except under CI=true, where
 * importing this module fails the run: CI must never pass by skipping them.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from '@keyv/redis';

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The URL without a password, for messages. */
function shownUrl(): string {
  try {
    const url = new URL(redisUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparsable REDIS_URL)';
  }
}

const makeClient = () => createClient({ url: redisUrl, socket: { connectTimeout: 1500, reconnectStrategy: false } });
export type TestRedisClient = ReturnType<typeof makeClient>;

/** A plain client for tests (setup, counting, cleanup). Close it with `.destroy()`. */
export async function connectTestClient(): Promise<TestRedisClient> {
  const client = makeClient();
  client.on('error', () => {
    // Reported through the rejected promise of the command or connect.
  });
  await client.connect();
  return client;
}

async function probe(): Promise<boolean> {
  let client: TestRedisClient | undefined;
  try {
    client = await connectTestClient();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    if (client?.isOpen) client.destroy();
  }
}

/** True when Redis answered PING at import time. */
export const redisAvailable: boolean = await probe();

if (!redisAvailable) {
  if (process.env.CI === 'true') {
    throw new Error(
      `Redis does not answer at ${shownUrl()}. Under CI=true the Redis suites must run: start redis-server (or set REDIS_URL) first.`,
    );
  }
  const bar = '!'.repeat(78);
  console.warn(
    `\n${bar}\n!!! REDIS DOES NOT ANSWER at ${shownUrl()}\n!!! The Redis store suites are SKIPPED. Start redis-server or set REDIS_URL to run them.\n${bar}\n`,
  );
}

const run = `bbtest:${process.pid}:${randomBytes(4).toString('hex')}`;
let counter = 0;

/** A namespace no other test (or test run) uses. */
export function uniqueNamespace(): string {
  counter += 1;
  return `${run}:${counter}`;
}

/** Every key under a namespace: `<ns>:*` (which does not match `<ns>0:*`). */
export async function keysUnder(client: TestRedisClient, namespace: string): Promise<string[]> {
  const found: string[] = [];
  for await (const batch of client.scanIterator({ MATCH: `${namespace}:*`, COUNT: 500 })) found.push(...batch);
  return found;
}

/** Every key under a namespace with its content, as bytes: for scans that must not find a person's traces. */
export async function dumpNamespace(client: TestRedisClient, namespace: string): Promise<Buffer> {
  const parts: string[] = [];
  for (const key of await keysUnder(client, namespace)) {
    parts.push(key);
    const type = await client.type(key);
    if (type === 'string') parts.push(String(await client.get(key)));
    else if (type === 'hash') parts.push(JSON.stringify(await client.hGetAll(key)));
    else if (type === 'set') parts.push(JSON.stringify(await client.sMembers(key)));
    else if (type === 'zset') parts.push(JSON.stringify(await client.zRange(key, 0, -1)));
    else if (type === 'list') parts.push(JSON.stringify(await client.lRange(key, 0, -1)));
  }
  return Buffer.from(parts.join('\n'), 'utf8');
}

/** Delete every key under a namespace. */
export async function deleteNamespace(client: TestRedisClient, namespace: string): Promise<void> {
  const keys = await keysUnder(client, namespace);
  if (keys.length > 0) await client.del(keys);
}
