import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../support/temp.js';
import { redisAvailable } from '../../support/redis.js';

const ROOT = resolve(import.meta.dirname, '../../..');

/** Run `npm run chat` as a person would script it: lines on standard input, then end of input. */
function chat(lines: string[], env: Record<string, string> = {}) {
  const dir = tempDir('bb-chat-');
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'chat'], {
    cwd: ROOT,
    input: `${lines.join('\n')}\n`,
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_PATH: join(dir, 'bb.sqlite'),
      KEYS_DIR: join(dir, 'keys'),
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  return { ...result, dir };
}

describe('npm run chat (terminal chat over standard input)', () => {
  it('runs a scripted conversation and exits cleanly at end of input', () => {
    const run = chat(['help', 'taal en', 'help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Dit kan ik voor je doen');
    expect(run.stdout).toContain('I will talk to you in English now.');
    expect(run.stdout).toContain('This is what I can do');
  });

  it('keeps a half-finished check-in and resumes it at the same question in the next session', () => {
    const first = chat(['checkin', '1', '1']); // the consent's "ja", then the first answer
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/\[Vraag 2 · nog ongeveer \d+ vragen\]/);
    const sameData = { DATABASE_PATH: join(first.dir, 'bb.sqlite'), KEYS_DIR: join(first.dir, 'keys') };
    const second = chat([], sameData);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('We gaan verder bij de vraag waar je was');
    expect(second.stdout).toMatch(/\[Vraag 2 · nog ongeveer \d+ vragen\]/);
    // The generated keys are kept in the keys folder, apart from the database, so the person is recognised again.
    expect(readFileSync(join(first.dir, 'keys', 'pseudonym.key'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(join(first.dir, 'pseudonym.key'))).toBe(false);
  });

  // Redis database 15 is this test's alone: it must be empty before, and it is emptied after.
  it.skipIf(!redisAvailable)('on Redis too, reads every line piped in before it was ready', async () => {
    const { createClient } = await import('@keyv/redis');
    const client = createClient({ url: 'redis://127.0.0.1:6379/15' });
    await client.connect();
    try {
      expect(await client.dbSize()).toBe(0);
      const run = chat(['help', 'checkin', '1', '1'], { REDIS_URL: 'redis://127.0.0.1:6379/15' });
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('Dit kan ik voor je doen');
      expect(run.stdout).toMatch(/\[Vraag 2 · nog ongeveer \d+ vragen\]/);
      expect(await client.dbSize()).toBeGreaterThan(0);
    } finally {
      await client.flushDb();
      client.destroy();
    }
  });

  it('stops start-up with a message naming the bad setting, never its value', () => {
    const run = chat(['help'], { RETENTION_DAYS: 'CANARY-not-a-number' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('RETENTION_DAYS');
    expect(run.stderr).not.toContain('CANARY');
  });
});
