/**
 * A failed SDK load is not final: the next request loads again instead of every request getting a 500 until a
 * restart. The first load is made to fail here; the second is the real one. And the background load waits until
 * the server is up.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { activities, startConnector, startTeams } from './support/harness.js';

const loads = vi.hoisted(() => ({ count: 0, failFirst: 0 }));

vi.mock('../../../adapters/teams/sdk.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../adapters/teams/sdk.js')>();
  return {
    ...real,
    loadTeamsSdk: async (...args: Parameters<typeof real.loadTeamsSdk>) => {
      loads.count += 1;
      if (loads.count <= loads.failFirst) throw new Error('simulated load failure');
      return real.loadTeamsSdk(...args);
    },
  };
});

type Teams = Awaited<ReturnType<typeof startTeams>>;
let teams: Teams | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await teams?.close();
  teams = undefined;
});

describe('loading the Teams SDK', () => {
  it('after a failed load the next request loads again and is served', async () => {
    loads.count = 0;
    loads.failFirst = 1;
    const connector = await startConnector();
    try {
      teams = await startTeams({ deps: { tuning: { sdkLoad: 'background' } } });
      // The first load fails (whoever asked first: ready() or the background load at start).
      await expect(teams.adapter.ready()).rejects.toThrow('simulated load failure');
      expect((await teams.post(activities.personal(connector.url, 'eerste'))).status).toBe(200);
      expect(loads.count).toBe(2);
      expect(teams.events).toHaveLength(1);
      // Loaded once, kept: later requests do not load again.
      expect((await teams.post(activities.personal(connector.url, 'tweede'))).status).toBe(200);
      expect(loads.count).toBe(2);
    } finally {
      await connector.close();
    }
  });

  it('in the background, loading starts only once the delay after start has passed', async () => {
    loads.count = 0;
    loads.failFirst = 0;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    teams = await startTeams({ deps: { tuning: { sdkLoad: 'background', sdkLoadDelayMs: 1_000 } } });
    await vi.advanceTimersByTimeAsync(999);
    expect(loads.count).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(loads.count).toBe(1);
    vi.useRealTimers();
    expect(await teams.adapter.ready()).toBeGreaterThan(0);
    expect(loads.count).toBe(1);
  });
});
