import type { Logger } from '../../src/core/index.js';
import type { SlackApi } from './web-api.js';

const MEMORY_MAX = 10_000;
/** After users.info failed, ask again no sooner than this (the person gets the default language meanwhile). */
const FAILURE_BACKOFF_MS = 60 * 1000;

interface Cached {
  locale: string | undefined;
  until: number;
}

/**
 * The person's Slack locale from users.info, remembered in this process only (the core keeps what it needs
 * under the person's pseudonym). Undefined when unknown or when Slack fails.
 */
export function createLocaleLookup(deps: { api: SlackApi; log: Logger; now: () => number; ttlMs: number }) {
  const memory = new Map<string, Cached>();
  // Two events of one person at once ask Slack once.
  const pending = new Map<string, Promise<string | undefined>>();

  const remember = (id: string, locale: string | undefined, ttl: number) => {
    if (memory.size >= MEMORY_MAX) memory.delete(memory.keys().next().value as string);
    memory.set(id, { locale, until: deps.now() + ttl });
  };

  async function lookUp(teamId: string, userId: string, id: string): Promise<string | undefined> {
    try {
      const locale = await deps.api.userLocale(teamId, userId);
      remember(id, locale, deps.ttlMs);
      return locale;
    } catch (error) {
      deps.log.warn({ code: (error as { code?: string }).code }, 'slack locale unknown, using the default');
      remember(id, undefined, FAILURE_BACKOFF_MS);
      return undefined;
    }
  }

  return async function localeOf(teamId: string, userId: string): Promise<string | undefined> {
    const id = `${teamId}:${userId}`;
    const hit = memory.get(id);
    if (hit && hit.until > deps.now()) return hit.locale;
    let running = pending.get(id);
    if (!running) {
      running = lookUp(teamId, userId, id).finally(() => pending.delete(id));
      pending.set(id, running);
    }
    return running;
  };
}

export type LocaleLookup = ReturnType<typeof createLocaleLookup>;
