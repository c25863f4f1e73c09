/**
 * Group commit for the SQLite store: every write of one turn of the event loop joins one transaction, opened by the
 * first write (`BEGIN IMMEDIATE`) and committed in the check phase of the same turn (`setImmediate`). A busy second
 * then pays for a few WAL commits instead of one per write.
 *
 * Durability rule: a write the caller awaited is committed. Each write waits for the end of the batch it ran in;
 * when the COMMIT fails (full disk, read-only file, I/O error) or SQLite rolled the transaction back on its own
 * after a failed statement, every write of that batch is rejected with a StoreError, and only those. Once a batch
 * has failed, further writes in the same turn are refused at once (a statement now would run outside any
 * transaction and commit by itself); the next turn starts a fresh batch.
 */
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { StoreError } from '../errors.js';
import { closedError, guarded } from './guard.js';

/** One loop turn's write transaction, shared by every write that ran in it. */
export interface Batch {
  /** Resolves once the transaction committed; rejects with a StoreError when it did not. */
  readonly done: Promise<void>;
}

interface OpenBatch extends Batch {
  resolve(): void;
  reject(error: StoreError): void;
  /** Why the batch cannot commit any more; set at the first sign of a lost transaction. */
  failure?: unknown;
  /** How many writes joined, for the log line when it fails. */
  writes: number;
}

const COMMITTED: Batch = { done: Promise.resolve() };

/**
 * The group commit holding an open batch, per database file, in this process. Two stores on one file in one process
 * (tests, tools) must not block each other: a second BEGIN IMMEDIATE would make SQLite wait, synchronously, on the
 * very event loop that is meant to commit the first. So a store about to write waits (asynchronously) until a
 * sibling's open batch has ended; at most one store per file and process holds an open batch.
 */
const openBatches = new Map<string, GroupCommit>();

/** The write batches of one SQLite connection. */
export class GroupCommit {
  private batch?: OpenBatch;
  private readonly begin: Database.Statement<[]>;
  private readonly commitStatement: Database.Statement<[]>;

  constructor(
    private readonly db: Database.Database,
    /** The resolved database path; one key per file for `openBatches`. */
    private readonly file: string,
    /** Whether the store was closed: new calls fail then. */
    private readonly isClosed: () => boolean,
    private readonly log?: Logger,
  ) {
    // Prepared once: `exec` would parse them again for every loop turn that writes.
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commitStatement = db.prepare('COMMIT');
  }

  /**
   * The batch a write joins, opening one when none is open. Call it after `siblingBatch` and right before the
   * write's statements; `newWrite` false for a further statement of a write that already joined (it is not counted).
   * Throws a StoreError when this turn's batch has already failed.
   */
  enter(newWrite = true): Batch {
    const batch = this.batch;
    if (batch) {
      if (batch.failure === undefined && !this.db.inTransaction) {
        batch.failure = new StoreError('sqlite store: the write transaction was rolled back');
      }
      if (batch.failure !== undefined) {
        throw new StoreError('sqlite store: this turn of writes already failed', { cause: batch.failure });
      }
      if (newWrite) batch.writes += 1;
      return batch;
    }
    // A transaction somebody else opened on this connection (a component sharing `db`) carries the write.
    if (this.db.inTransaction) return COMMITTED;
    this.begin.run();
    let resolve: () => void = () => undefined;
    let reject: (error: StoreError) => void = () => undefined;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Nobody may be waiting (every write of the batch failed on its own): that must not be an unhandled rejection.
    done.catch(() => undefined);
    const opened: OpenBatch = { done, resolve, reject, writes: newWrite ? 1 : 0 };
    this.batch = opened;
    openBatches.set(this.file, this);
    setImmediate(() => {
      if (this.batch === opened) this.commit();
    });
    return opened;
  }

  /** After a statement failed: when SQLite rolled the whole transaction back (SQLITE_FULL, I/O), the batch is lost. */
  noteFailure(error: unknown): void {
    const batch = this.batch;
    if (batch && batch.failure === undefined && !this.db.inTransaction) batch.failure = error;
  }

  /** Whether a batch is open now. */
  get open(): boolean {
    return this.batch !== undefined;
  }

  /** End the open batch now: commit it, or roll it back and reject its writes when it cannot commit. */
  commit(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    if (openBatches.get(this.file) === this) openBatches.delete(this.file);
    if (batch.failure === undefined) {
      try {
        this.commitStatement.run();
        batch.resolve();
        return;
      } catch (error) {
        batch.failure = error;
      }
    }
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    } catch {
      // SQLite may have rolled back already; either way nothing of this batch is stored.
    }
    const error = new StoreError('sqlite store: write batch not committed', { cause: batch.failure });
    this.log?.error({ err: error, writes: batch.writes }, 'store commit failed');
    batch.reject(error);
  }

  /** Run a read: it sees the committed data plus this connection's open batch. Failures become StoreErrors. */
  read<T>(op: string, fn: () => T | Promise<T>): Promise<T> {
    if (this.isClosed()) return Promise.reject(closedError('sqlite'));
    return guarded('sqlite', op, async () => {
      try {
        return await fn();
      } catch (error) {
        this.noteFailure(error);
        throw error;
      }
    });
  }

  /** Run a write in the loop turn's batch; it resolves only once that batch committed. Failures become StoreErrors. */
  write<T>(op: string, fn: () => T | Promise<T>): Promise<T> {
    if (this.isClosed()) return Promise.reject(closedError('sqlite'));
    return guarded('sqlite', op, async () => {
      // Checked again after each wait, and entered in the same synchronous stretch as the last check.
      for (let busy = this.siblingBatch(); busy; busy = this.siblingBatch()) await busy;
      if (this.isClosed()) throw closedError('sqlite');
      const batch = this.enter();
      let result: T;
      try {
        result = await fn();
      } catch (error) {
        this.noteFailure(error);
        throw error;
      }
      try {
        await batch.done;
      } catch (error) {
        throw new StoreError(`sqlite store: ${op} not committed`, { cause: error });
      }
      return result;
    });
  }

  /** Settles (never rejects) when a sibling store's open batch on this file has ended; undefined when none is open. */
  private siblingBatch(): Promise<void> | undefined {
    const holder = openBatches.get(this.file);
    if (!holder || holder === this || !holder.batch) return undefined;
    return holder.batch.done.catch(() => undefined);
  }
}
