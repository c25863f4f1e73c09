/**
 * The organisers' audit log: who (a pseudonym, or `api` for the HTTP API), what, when, and for which workspace or
 * tenant (a keyed hash). Never what a check-in said, never a platform id. Entries are kept AUDIT_RETENTION_DAYS.
 */
import type { TurnContext } from '../../core/context.js';
import { tenantHash } from '../../core/tenant-settings.js';
import type { KeyValueStore } from '../../store/store.js';
import { organiserKeys } from './keys.js';

/** What an organiser did. */
export type AuditAction =
  | 'organiser.invited'
  | 'organiser.joined'
  | 'organiser.removed'
  | 'escalation.set'
  | 'escalation.cleared'
  | 'topic.added'
  | 'topic.removed'
  | 'announcement.created'
  | 'announcement.cancelled'
  | 'session.created'
  | 'session.changed'
  | 'session.cancelled'
  | 'attendance.marked'
  | 'nudge.set'
  | 'nudge.removed'
  | 'insights.read';

export interface AuditEntry {
  at: number;
  /** A pseudonym, or `api`. */
  who: string;
  what: AuditAction;
  /** The workspace or tenant (keyed hash), or `api`. */
  scope: string;
  /** What it was about: an announcement id, a topic id, the pseudonym of an organiser removed. */
  about?: string;
}

export interface AuditLog {
  record(entry: Omit<AuditEntry, 'at'>, at: number): Promise<void>;
  /** The newest entries of one scope, newest first. */
  recent(scope: string, limit: number): Promise<AuditEntry[]>;
  /** Delete entries older than `before`; returns how many. */
  purge(before: number): Promise<number>;
}

export function createAuditLog(store: KeyValueStore): AuditLog {
  // The entry itself is the member (a small JSON text), its time the score: one sorted index, no other rows.
  return {
    async record(entry, at) {
      await store.indexAdd(organiserKeys.audit, JSON.stringify({ at, ...entry }), at);
    },
    async recent(scope, limit) {
      // Organiser actions are few (a handful a week), so reading the index whole is cheap.
      const all: AuditEntry[] = [];
      let after: { member: string; score: number } | undefined;
      for (;;) {
        const page = await store.indexRange(organiserKeys.audit, { limit: 1000, ...(after ? { after } : {}) });
        all.push(...page.entries.map((e) => JSON.parse(e.member) as AuditEntry));
        if (!page.cursor) break;
        after = page.cursor;
      }
      return all
        .filter((e) => e.scope === scope)
        .slice(-limit)
        .reverse();
    },
    async purge(before) {
      let removed = 0;
      for (;;) {
        const page = await store.indexRange(organiserKeys.audit, { max: before - 1, limit: 500 });
        if (page.entries.length === 0) return removed;
        for (const entry of page.entries) if (await store.indexRemove(organiserKeys.audit, entry.member)) removed += 1;
      }
    },
  };
}

/** The audit log as other features use it: an action in the chat (the organiser's workspace or tenant) or the API. */
export function organiserAudit(store: KeyValueStore, now: () => number) {
  const log = createAuditLog(store);
  return {
    chat: (ctx: TurnContext, what: AuditAction, about?: string) =>
      log.record(
        {
          who: ctx.person,
          what,
          scope: tenantHash(ctx.hash, ctx.event.platform, ctx.event.user.tenantId),
          ...(about ? { about } : {}),
        },
        ctx.now,
      ),
    api: (what: AuditAction, about?: string) =>
      log.record({ who: 'api', what, scope: 'api', ...(about ? { about } : {}) }, now()),
  };
}
