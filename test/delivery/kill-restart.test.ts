import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp.js';

const CHILD = resolve(import.meta.dirname, 'support/broadcast-child.ts');
const TSX = resolve(import.meta.dirname, '../../node_modules/.bin/tsx');
const RECIPIENTS = 600;

const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : []);

describe('a broadcast killed half-way', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('resumes after SIGKILL: everyone gets it, only recipients in flight at the kill twice', async () => {
    const dir = tempDir();
    const db = join(dir, 'kill.sqlite');
    const log = join(dir, 'delivered.log');
    const first = spawn(TSX, [CHILD, db, log, String(RECIPIENTS)], { stdio: 'ignore' });
    children.push(first);
    const deadline = Date.now() + 60_000;
    while (lines(log).length < RECIPIENTS / 2) {
      if (Date.now() > deadline || first.exitCode !== null) throw new Error('the first run did not get half-way');
      await new Promise((r) => setTimeout(r, 5));
    }
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = lines(log).length;
    expect(atKill).toBeLessThan(RECIPIENTS);

    const second = spawn(TSX, [CHILD, db, log, String(RECIPIENTS)], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(second);
    let out = '';
    second.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const code = await new Promise((r) => second.once('exit', r));
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ pending: 0, sent: RECIPIENTS, failed: 0, blocked: 0, total: RECIPIENTS });

    const delivered = lines(log);
    const times = new Map<string, number>();
    for (const r of delivered) times.set(r, (times.get(r) ?? 0) + 1);
    expect(times.size).toBe(RECIPIENTS);
    const twice = [...times.values()].filter((n) => n > 1);
    // At most one duplicate each, and only for the jobs in flight at the kill (concurrency 8).
    expect(twice.every((n) => n === 2)).toBe(true);
    expect(twice.length).toBeLessThanOrEqual(8);
  }, 120_000);
});
