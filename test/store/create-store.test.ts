import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { createRedisConnections, createStore } from '../../src/store/create-store.js';
import type { KeyValueStore } from '../../src/store/store.js';
import { redisAvailable, redisUrl } from '../support/redis.js';

function captureLog(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines };
}

describe('createStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bb-create-store-'));
  let store: KeyValueStore | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens SQLite at DATABASE_PATH when no REDIS_URL is set, creating the folder', async () => {
    const { log, lines } = captureLog();
    const path = join(dir, 'deeper', 'bb.sqlite');
    store = await createStore({ databasePath: path }, { log });
    expect(store.kind).toBe('sqlite');
    expect(await store.ping()).toBe(true);
    expect(existsSync(path)).toBe(true);
    expect(lines.join('')).toContain('"component":"store"');
  });

  it.skipIf(!redisAvailable)('opens Redis when REDIS_URL is set, and never logs the URL', async () => {
    const { log, lines } = captureLog();
    const url = new URL(redisUrl);
    store = await createStore({ databasePath: join(dir, 'unused.sqlite'), redisUrl }, { log });
    expect(store.kind).toBe('redis');
    expect(await store.ping()).toBe(true);
    expect(existsSync(join(dir, 'unused.sqlite'))).toBe(false);
    expect(lines.join('')).not.toContain(url.host);
  });

  it.skipIf(!redisAvailable)('takes its Redis client from the shared connections when given them', async () => {
    const { log } = captureLog();
    const connections = createRedisConnections(redisUrl, { log });
    try {
      store = await createStore({ databasePath: join(dir, 'unused.sqlite'), redisUrl }, { log, connections });
      expect(await store.ping()).toBe(true);
      // Closing the shared connections is what takes the store's client down.
      await connections.closeAll();
      expect(await store.ping()).toBe(false);
    } finally {
      await connections.closeAll();
    }
  });

  it('fails with a StoreError when Redis does not answer, and logs no password', async () => {
    const { log, lines } = captureLog();
    await expect(
      createStore({ databasePath: join(dir, 'x.sqlite'), redisUrl: 'redis://:hunter2-secret@127.0.0.1:1' }, { log }),
    ).rejects.toBeInstanceOf(StoreError);
    expect(lines.join('')).not.toContain('hunter2-secret');
  });
});
