/** The queue in memory, for tests and the terminal chat on a memory store: the same semantics, nothing survives. */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { PollWorkers, type LeaseBackend } from './poll-worker.js';
import { checkJobId, type Job, type JobQueue } from './queue.js';

interface Entry {
  job: Job;
  runAt: number;
  owner?: symbol;
  leaseUntil: number;
}

export interface MemoryQueueOptions {
  log?: Logger;
  now?: () => number;
  leaseMs?: number;
  pollMs?: number;
}

export function openMemoryQueue(options: MemoryQueueOptions = {}): JobQueue {
  const now = options.now ?? Date.now;
  const jobs = new Map<string, Entry>();
  const owner = Symbol('worker');
  const held = (id: string) => {
    const entry = jobs.get(id);
    return entry?.owner === owner ? entry : undefined;
  };
  const backend: LeaseBackend = {
    async claim(name, limit, at, leaseMs) {
      const due = [...jobs.values()]
        .filter((e) => e.job.name === name && e.runAt <= at && e.leaseUntil <= at)
        .sort((a, b) => a.runAt - b.runAt)
        .slice(0, limit);
      return due.map((e) => {
        e.owner = owner;
        e.leaseUntil = at + leaseMs;
        e.job = { ...e.job, attempt: e.job.attempt + 1 };
        return e.job;
      });
    },
    async complete(job) {
      if (held(job.id)) jobs.delete(job.id);
    },
    async later(job, at) {
      const entry = held(job.id);
      if (!entry) return;
      entry.runAt = at;
      entry.owner = undefined;
      entry.leaseUntil = 0;
    },
    async renew(ids, until) {
      for (const id of ids) {
        const entry = held(id);
        if (entry) entry.leaseUntil = until;
      }
    },
  };
  const workers = new PollWorkers({
    backend,
    log: options.log,
    now,
    leaseMs: options.leaseMs ?? 30_000,
    pollMs: options.pollMs ?? 50,
  });
  return {
    kind: 'memory',
    async add(input) {
      for (const spec of Array.isArray(input) ? input : [input]) {
        const id = checkJobId(spec.id ?? randomBytes(12).toString('base64url'));
        if (jobs.has(id)) continue;
        const data = JSON.parse(JSON.stringify(spec.data ?? null));
        jobs.set(id, { job: { id, name: spec.name, data, attempt: 0 }, runAt: spec.runAt ?? now(), leaseUntil: 0 });
        workers.nudge(spec.name);
      }
    },
    async remove(id) {
      const entry = jobs.get(id);
      if (!entry || entry.leaseUntil > now()) return false;
      return jobs.delete(id);
    },
    has: async (id) => jobs.has(id),
    size: async (name) => [...jobs.values()].filter((e) => e.job.name === name).length,
    work(name, handler, workOptions = {}) {
      workers.work(name, handler, workOptions.concurrency ?? 1);
    },
    stop: () => workers.stop(),
  };
}
