/**
 * The worker loop of the embedded queues (SQLite, memory): claim due jobs up to the concurrency, run them, settle
 * each (done, later, or after a failure), renew the leases of running jobs so a slow send is not taken twice, and
 * poll again — at once after a job finished, else after a short idle wait or when a job was added here.
 */
import type { Logger } from 'pino';
import { toBotError } from '../errors.js';
import { failureBackoffMs, type Job, type JobHandler } from './queue.js';

/** What a back end offers the loop; every call is atomic across workers (a claimed job is nobody else's). */
export interface LeaseBackend {
  /** Take up to `limit` due jobs of `name` for `leaseMs`. */
  claim(name: string, limit: number, now: number, leaseMs: number): Promise<Job[]>;
  /** The job is done: delete it (only while this worker still holds it). */
  complete(job: Job): Promise<void>;
  /** Run the job again at `at` (releases the lease). */
  later(job: Job, at: number): Promise<void>;
  /** Extend the leases of these running jobs. */
  renew(ids: string[], until: number): Promise<void>;
}

export interface PollWorkerOptions {
  backend: LeaseBackend;
  log?: Logger;
  now: () => number;
  leaseMs: number;
  /** The idle wait between polls when nothing was due. */
  pollMs: number;
}

/** Runs the handlers of one queue in this process. */
export class PollWorkers {
  private readonly loops = new Map<string, { wake: () => void; done: Promise<void> }>();
  private readonly running = new Map<string, Job>();
  private stopped = false;
  private renewTimer?: NodeJS.Timeout;

  constructor(private readonly options: PollWorkerOptions) {}

  /** A job was added here: look for due work at once. */
  nudge(name: string): void {
    this.loops.get(name)?.wake();
  }

  work<T>(name: string, handler: JobHandler<T>, concurrency: number): void {
    if (this.loops.has(name)) throw new Error(`jobs of ${name} already have a worker`);
    if (this.stopped) return;
    let wake: () => void = () => undefined;
    let active = 0;
    const run = async (job: Job): Promise<void> => {
      const { backend, now, log } = this.options;
      try {
        const outcome = await handler(job as Job<T>);
        if (outcome?.retryAt !== undefined) await backend.later(job, outcome.retryAt);
        else await backend.complete(job);
      } catch (error) {
        log?.warn({ job: name, code: toBotError(error).code, attempt: job.attempt }, 'job failed, trying again later');
        await backend.later(job, now() + failureBackoffMs(job.attempt)).catch(() => undefined);
      }
    };
    const loop = async (): Promise<void> => {
      const { backend, now, leaseMs, pollMs, log } = this.options;
      while (!this.stopped) {
        let claimed: Job[] = [];
        if (active < concurrency) {
          try {
            claimed = await backend.claim(name, concurrency - active, now(), leaseMs);
          } catch (error) {
            log?.warn({ job: name, code: toBotError(error).code }, 'queue claim failed');
          }
        }
        for (const job of claimed) {
          active += 1;
          this.running.set(job.id, job);
          void run(job).finally(() => {
            active -= 1;
            this.running.delete(job.id);
            wake();
          });
        }
        if (claimed.length > 0 && active < concurrency) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = () => undefined;
      }
      while (active > 0) await new Promise<void>((resolve) => setTimeout(resolve, 10));
    };
    this.loops.set(name, { wake: () => wake(), done: loop() });
    this.startRenewing();
  }

  private startRenewing(): void {
    if (this.renewTimer) return;
    const { leaseMs, backend, now } = this.options;
    this.renewTimer = setInterval(
      () => {
        const ids = [...this.running.keys()];
        if (ids.length > 0) void backend.renew(ids, now() + leaseMs).catch(() => undefined);
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    this.renewTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.renewTimer) clearInterval(this.renewTimer);
    for (const loop of this.loops.values()) loop.wake();
    await Promise.all([...this.loops.values()].map((l) => l.done));
  }
}
