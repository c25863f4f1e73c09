/**
 * The personal chat's stored reference holds raw Teams ids: it is tracked for "vergeet mij" before it is written,
 * expires after the retention period, and is written again (new expiry) while the person is active.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keys, type KeyValueStore } from '../../../src/core/index.js';
import { openMemoryStore } from '../../../src/store/create-store.js';
import { activities, startConnector, startTeams } from './support/harness.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const PERSON = 'p-aad-user-1';
const pseudonymize = (u: { userId: string }) => `p-${u.userId}`;

type Call = { op: 'set' | 'track'; key: string; ttlMs?: number };

/** A memory store that records set and track calls, in order. */
function recordingStore(): { store: KeyValueStore; calls: Call[] } {
  const inner = openMemoryStore();
  const calls: Call[] = [];
  const store = Object.create(inner) as KeyValueStore;
  store.set = async (key, value, ttlMs) => {
    calls.push({ op: 'set', key, ...(ttlMs !== undefined ? { ttlMs } : {}) });
    return inner.set(key, value, ttlMs);
  };
  store.track = async (person, key) => {
    calls.push({ op: 'track', key: `${person}→${key}` });
    return inner.track(person, key);
  };
  return { store, calls };
}

type Teams = Awaited<ReturnType<typeof startTeams>>;
type Connector = Awaited<ReturnType<typeof startConnector>>;
let teams: Teams | undefined;
let connector: Connector;
beforeEach(async () => {
  connector = await startConnector();
});
afterEach(async () => {
  await teams?.close();
  teams = undefined;
  await connector.close();
});

const personalCalls = (calls: Call[]) => calls.filter((c) => c.key.endsWith(keys.conversation(PERSON)));

describe('the personal conversation reference', () => {
  it('at install: tracked before it is written, with the default retention of 90 days', async () => {
    const { store, calls } = recordingStore();
    teams = await startTeams({ store, deps: { pseudonymize } });
    await teams.post(activities.installation(connector.url));
    expect(personalCalls(calls)).toEqual([
      { op: 'track', key: `${PERSON}→${keys.conversation(PERSON)}` },
      { op: 'set', key: keys.conversation(PERSON), ttlMs: 90 * DAY_MS },
    ]);
  });

  it('uses retentionDays when given', async () => {
    const { store, calls } = recordingStore();
    teams = await startTeams({ store, deps: { pseudonymize, retentionDays: 7 } });
    await teams.post(activities.installation(connector.url));
    expect(personalCalls(calls).find((c) => c.op === 'set')?.ttlMs).toBe(7 * DAY_MS);
  });

  it('expires: unreadable after the retention period', async () => {
    const { store } = recordingStore();
    // A retention of a millisecond's worth of days, so the test need not wait.
    teams = await startTeams({ store, deps: { pseudonymize, retentionDays: 20 / DAY_MS } });
    await teams.post(activities.installation(connector.url));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await store.get(keys.conversation(PERSON))).toBeUndefined();
  });

  it('a person active in the personal chat gets it stored (with expiry), at most once per hour per process', async () => {
    const { store, calls } = recordingStore();
    teams = await startTeams({ store, deps: { pseudonymize } });
    // No install seen (e.g. installed before this version): the first message stores it.
    await teams.post(activities.personal(connector.url, 'help'));
    expect(await store.get(keys.conversation(PERSON))).toMatchObject({
      conversationId: 'a:personal-1',
      extra: { serviceUrl: connector.url },
    });
    expect(await store.keysOf(PERSON)).toContain(keys.conversation(PERSON));
    expect(personalCalls(calls).map((c) => c.op)).toEqual(['track', 'set']);
    expect(personalCalls(calls)[1]!.ttlMs).toBe(90 * DAY_MS);
    await teams.post(activities.personal(connector.url, 'checkin'));
    await teams.post(
      activities.execute(connector.url, { verb: 'bb', bb: { dialogId: 'checkin', stepId: 's', turn: 1 } }),
    );
    expect(personalCalls(calls)).toHaveLength(2);
  });

  it('channel messages do not store a personal reference', async () => {
    const { store, calls } = recordingStore();
    teams = await startTeams({ store, deps: { pseudonymize } });
    await teams.post(activities.channelMention(connector.url, 'help'));
    expect(personalCalls(calls)).toEqual([]);
  });

  it('after removal the next activity stores it again', async () => {
    const { store } = recordingStore();
    teams = await startTeams({ store, deps: { pseudonymize } });
    await teams.post(activities.installation(connector.url));
    await teams.post(activities.installation(connector.url, 'remove'));
    expect(await store.get(keys.conversation(PERSON))).toBeUndefined();
    await teams.post(activities.personal(connector.url, 'hallo'));
    expect(await store.get(keys.conversation(PERSON))).toBeDefined();
  });
});
