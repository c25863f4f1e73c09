/**
 * The durable job queue: announcements now, reminders and nudges later. At-least-once: a job runs until its handler
 * finishes, and a job whose worker died (a killed process) runs again once its lease has lapsed. Handlers are
 * therefore idempotent (the delivery ledger makes a send job skip a recipient already marked sent).
 *
 * Back ends: a table in the SQLite file (default), BullMQ on Redis (REDIS_URL), memory (tests). docs/queue.md.
 */

/** A job to add. An `id` that is already queued is left as it is, so adding twice is harmless. */
export interface JobSpec {
  name: string;
  data: unknown;
  /** Unique per job; letters, digits, `-`, `_` and `.` (BullMQ reserves `:`). Default: random. */
  id?: string;
  /** ms since epoch; not before this. Default now. */
  runAt?: number;
}

/** A job handed to a handler. */
export interface Job<T = unknown> {
  id: string;
  name: string;
  data: T;
  /** 1 the first time the job runs, then 2, … (runs after a `retryAt` count too). */
  attempt: number;
}

/** What a handler decides: done (nothing returned), or run again at `retryAt` (ms since epoch). */
export type JobOutcome = undefined | { retryAt: number };

export type JobHandler<T = unknown> = (job: Job<T>) => Promise<JobOutcome>;

export interface WorkOptions {
  /** Jobs of this name running at once in this process. Default 1. */
  concurrency?: number;
}

export interface JobQueue {
  readonly kind: 'sqlite' | 'redis' | 'memory';
  /** Add jobs (ids already queued are kept as they are). Resolves once they are durable. */
  add(jobs: JobSpec | JobSpec[]): Promise<void>;
  /** Take a waiting job out; false when it is not there or is running right now. */
  remove(id: string): Promise<boolean>;
  /** Whether a job with this id is queued (waiting, delayed or running). */
  has(id: string): Promise<boolean>;
  /** Jobs of `name` waiting, delayed or running. */
  size(name: string): Promise<number>;
  /**
   * Run the jobs of `name` with `handler` in this process. A handler that throws is run again after a backoff (it
   * is logged by code, never by message); a handler should decide retries itself and return `{ retryAt }`.
   */
  work<T>(name: string, handler: JobHandler<T>, options?: WorkOptions): void;
  /** Stop taking jobs and wait for the running ones; jobs stay queued for the next start. */
  stop(): Promise<void>;
}

/** A handler that threw runs again after this backoff: doubling from 1 s, at most 5 minutes. */
export function failureBackoffMs(attempt: number): number {
  return Math.min(1000 * 2 ** Math.min(attempt - 1, 20), 5 * 60_000);
}

/** Check a job id: the characters every back end takes. */
export function checkJobId(id: string): string {
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(id)) throw new RangeError('a job id uses letters, digits, - _ . only');
  return id;
}
