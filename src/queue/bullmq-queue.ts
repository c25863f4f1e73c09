/**
 * The queue on Redis when REDIS_URL is set: BullMQ, one BullMQ queue per job name, on ioredis connections from
 * src/store/redis-connections.ts (their owner closes them). BullMQ's stalled-job check gives a killed worker's jobs
 * to another worker after `leaseMs` (its lock duration); a job that asks to run later is moved to the delayed set.
 */
import { randomBytes } from 'node:crypto';
import { DelayedError, type Job as BullJob, Queue, Worker } from 'bullmq';
import type { Redis as IORedis } from 'ioredis';
import type { Logger } from 'pino';
import { toBotError } from '../errors.js';
import { checkJobId, failureBackoffMs, type JobQueue, type JobSpec } from './queue.js';

export interface BullQueueOptions {
  /** For adding and looking up jobs (fails fast while Redis is away). */
  producer: IORedis;
  /** For workers (BullMQ duplicates it for its blocking reads). */
  worker: IORedis;
  /** Redis key prefix of every queue. Default `bb:queue`. */
  prefix?: string;
  log?: Logger;
  now?: () => number;
  /** A killed worker's job runs again after about this long. Default 30 s. */
  leaseMs?: number;
}

/** Handler errors are retried by BullMQ with this many attempts (practically: until it works). */
const MANY = 1_000_000;

export function openBullQueue(options: BullQueueOptions): JobQueue {
  const now = options.now ?? Date.now;
  const prefix = options.prefix ?? 'bb:queue';
  const leaseMs = options.leaseMs ?? 30_000;
  const queues = new Map<string, Queue>();
  const workers: Worker[] = [];
  const queueOf = (name: string): Queue => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: options.producer, prefix });
      queue.on('error', () => undefined);
      queues.set(name, queue);
    }
    return queue;
  };
  const names = () => [...queues.keys()];

  return {
    kind: 'redis',
    async add(input) {
      const byName = new Map<string, JobSpec[]>();
      for (const spec of Array.isArray(input) ? input : [input]) {
        const list = byName.get(spec.name) ?? [];
        list.push(spec);
        byName.set(spec.name, list);
      }
      for (const [name, specs] of byName) {
        await queueOf(name).addBulk(
          specs.map((spec) => ({
            name,
            data: spec.data ?? null,
            opts: {
              jobId: checkJobId(spec.id ?? randomBytes(12).toString('base64url')),
              delay: Math.max(0, (spec.runAt ?? now()) - now()),
              attempts: MANY,
              backoff: { type: 'custom' },
              removeOnComplete: true,
              removeOnFail: false,
            },
          })),
        );
      }
    },
    async remove(id) {
      for (const name of names()) {
        const job = await queueOf(name).getJob(id);
        if (!job) continue;
        if (await job.isActive()) return false;
        return (await queueOf(name).remove(id)) === 1;
      }
      return false;
    },
    async has(id) {
      for (const name of names()) if (await queueOf(name).getJob(id)) return true;
      return false;
    },
    async size(name) {
      const counts = await queueOf(name).getJobCounts('waiting', 'delayed', 'active', 'prioritized');
      return Object.values(counts).reduce((a, b) => a + b, 0);
    },
    work(name, handler, workOptions = {}) {
      queueOf(name);
      const worker = new Worker(
        name,
        async (job: BullJob, token?: string) => {
          const outcome = await handler({
            id: job.id ?? '',
            name,
            data: job.data,
            attempt: job.attemptsStarted,
          });
          if (outcome?.retryAt !== undefined) {
            await job.moveToDelayed(Math.max(outcome.retryAt, now() + 1), token);
            throw new DelayedError();
          }
        },
        {
          connection: options.worker,
          prefix,
          concurrency: workOptions.concurrency ?? 1,
          lockDuration: leaseMs,
          stalledInterval: Math.max(1000, Math.floor(leaseMs / 2)),
          // A job whose worker died is put back every time, never failed for having stalled.
          maxStalledCount: MANY,
          settings: { backoffStrategy: (attemptsMade: number) => failureBackoffMs(attemptsMade) },
        },
      );
      worker.on('failed', (job, error) => {
        options.log?.warn({ job: name, code: toBotError(error).code, attempt: job?.attemptsMade }, 'job failed');
      });
      worker.on('error', () => undefined);
      workers.push(worker);
    },
    async stop() {
      await Promise.all(workers.splice(0).map((w) => w.close()));
      await Promise.all([...queues.values()].map((q) => q.close()));
      queues.clear();
    },
  };
}
