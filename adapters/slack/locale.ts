import { keys, type KeyValueStore, type Logger } from '../../src/core/index.js';
import type { SlackApi } from './web-api.js';
import type { SlackAdapterDeps } from './types.js';

const MEMORY_MAX = 10_000;
const MEMORY_TTL_MS = 10 * 60 * 1000;
/** After users.info failed, ask again no sooner than this (the person gets Dutch meanwhile). */
const FAILURE_BACKOFF_MS = 60 * 1000;

interface Cached {
  locale: string | undefined;
  until: number;
}

/**
 * The person's Slack locale from users.info, cached in the store under their pseudonym (so "vergeet mij" removes
 * it) and briefly in memory. Undefined when unknown or when Slack fails: the core then speaks Dutch.
 */
export function createLocaleLookup(deps: {
  api: SlackApi;
  store: KeyValueStore;
  log: Logger;
  now: () => number;
  ttlMs: number;
  pseudonymize: SlackAdapterDeps['pseudonymize'];
}) {
  const memory = new Map<string, Cached>();
  // Two events of one person at once ask Slack once.
  const pending = new Map<string, Promise<string | undefined>>();

  const remember = (id: string, locale: string | undefined, ttl: number) => {
    if (memory.size >= MEMORY_MAX) memory.delete(memory.keys().next().value as string);
    memory.set(id, { locale, until: deps.now() + ttl });
  };

  async function localeOf(teamId: string, userId: string): Promise<string | undefined> {
    const id = `${teamId}:${userId}`;
    const hit = memory.get(id);
    if (hit && hit.until > deps.now()) return hit.locale;
    let running = pending.get(id);
    if (!running) {
      running = lookUp(teamId, userId, id).finally(() => pending.delete(id));
      pending.set(id, running);
    }
    return running;
  }

  /** True when the locale is in memory: `localeOf` will then ask neither the store nor Slack. */
  const known = (teamId: string, userId: string): boolean =>
    (memory.get(`${teamId}:${userId}`)?.until ?? 0) > deps.now();

  return Object.assign(localeOf, { known });

  async function lookUp(teamId: string, userId: string, id: string): Promise<string | undefined> {
    const person = deps.pseudonymize({ platform: 'slack', tenantId: teamId, userId });
    const key = keys.platformCache(person, 'slack-locale');
    try {
      const stored = await deps.store.get<{ locale?: string }>(key);
      if (stored) {
        remember(id, stored.locale, MEMORY_TTL_MS);
        return stored.locale;
      }
      const locale = await deps.api.userLocale(teamId, userId);
      await deps.store.set(key, { locale }, deps.ttlMs);
      await deps.store.track(person, key);
      remember(id, locale, MEMORY_TTL_MS);
      return locale;
    } catch (error) {
      deps.log.warn({ code: (error as { code?: string }).code }, 'slack locale unknown, using the default');
      remember(id, undefined, FAILURE_BACKOFF_MS);
      return undefined;
    }
  }
}

export type LocaleLookup = ReturnType<typeof createLocaleLookup>;
