/** What every queue back end does: once per id, not before its time, later on request, again after a failure. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job, JobQueue } from '../../src/queue/queue.js';

export interface QueueHarness {
  open(): Promise<JobQueue>;
  cleanup?(): Promise<void>;
}

const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 8000) => {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

export function queueContract(name: string, harness: QueueHarness): void {
  describe(`${name} queue`, () => {
    let queue: JobQueue;
    beforeEach(async () => {
      queue = await harness.open();
    });
    afterEach(async () => {
      await queue.stop();
      await harness.cleanup?.();
    });

    it('runs a job once with its data, even when it is added twice', async () => {
      const seen: Job[] = [];
      await queue.add({ name: 'a', id: 'one', data: { n: 1 } });
      await queue.add({ name: 'a', id: 'one', data: { n: 2 } });
      queue.work('a', async (job) => void seen.push(job));
      await until(() => seen.length === 1);
      await new Promise((r) => setTimeout(r, 300));
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ id: 'one', name: 'a', data: { n: 1 }, attempt: 1 });
      await until(async () => (await queue.size('a')) === 0);
      expect(await queue.has('one')).toBe(false);
    });

    it('runs a delayed job not before its time, and a job again at the time it asks for', async () => {
      const runs: { at: number; attempt: number }[] = [];
      const start = Date.now();
      await queue.add({ name: 'b', id: 'later', data: null, runAt: start + 400 });
      queue.work('b', async (job) => {
        runs.push({ at: Date.now(), attempt: job.attempt });
        return runs.length === 1 ? { retryAt: Date.now() + 300 } : undefined;
      });
      await until(() => runs.length === 2);
      expect(runs[0]!.at).toBeGreaterThanOrEqual(start + 400);
      expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(290);
      expect(runs.map((r) => r.attempt)).toEqual([1, 2]);
    });

    it('runs a job again after its handler threw', async () => {
      let calls = 0;
      await queue.add({ name: 'c', id: 'flaky', data: null });
      queue.work('c', async () => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
        return undefined;
      });
      await until(() => calls === 2);
      await until(async () => (await queue.size('c')) === 0);
    });

    it('takes a waiting job out, which then never runs', async () => {
      let ran = false;
      await queue.add({ name: 'd', id: 'gone', data: null, runAt: Date.now() + 300 });
      expect(await queue.has('gone')).toBe(true);
      expect(await queue.remove('gone')).toBe(true);
      expect(await queue.remove('gone')).toBe(false);
      queue.work('d', async () => {
        ran = true;
        return undefined;
      });
      await new Promise((r) => setTimeout(r, 600));
      expect(ran).toBe(false);
    });

    it('keeps to the concurrency and runs every job', async () => {
      let active = 0;
      let peak = 0;
      let done = 0;
      await queue.add(Array.from({ length: 12 }, (_, i) => ({ name: 'e', id: `e-${i}`, data: i })));
      queue.work(
        'e',
        async () => {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 30));
          active -= 1;
          done += 1;
          return undefined;
        },
        { concurrency: 3 },
      );
      await until(() => done === 12);
      expect(peak).toBeLessThanOrEqual(3);
      expect(peak).toBeGreaterThan(1);
    });

    it('refuses a job id other back ends could not take', async () => {
      await expect(queue.add({ name: 'f', id: 'a:b', data: null })).rejects.toThrow(RangeError);
    });
  });
}
