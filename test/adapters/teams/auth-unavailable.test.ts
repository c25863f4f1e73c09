/**
 * Never a 500 from the token check: when the check itself cannot be loaded, a request with an app id gets a 503
 * with Retry-After, no handler runs, and the next request tries to load it again.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { activities, startConnector, startTeams } from './support/harness.js';

const loads = vi.hoisted(() => ({ count: 0, failFirst: 1 }));

vi.mock('../../../adapters/teams/token-validator.js', async (importOriginal) => {
  loads.count += 1;
  if (loads.count <= loads.failFirst) throw new Error('simulated load failure');
  return importOriginal();
});

type Teams = Awaited<ReturnType<typeof startTeams>>;
let teams: Teams | undefined;
afterEach(async () => {
  await teams?.close();
  teams = undefined;
});

describe('the token check cannot be loaded', () => {
  it('answers 503 with Retry-After instead of 500, and runs nothing', async () => {
    const connector = await startConnector();
    try {
      teams = await startTeams({
        config: { appId: '00000000-0000-4000-8000-000000000001', appPassword: 'test-secret-not-real' },
        deps: { localMode: false, tuning: { sdkLoad: 'background', sdkLoadDelayMs: 60_000 } },
      });
      const res = await fetch(`${teams.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer a.b.c' },
        body: JSON.stringify(activities.personal(connector.url, 'checkin')),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(teams.events).toHaveLength(0);
      // Not kept: the next request loads the check again (and this token is plainly malformed).
      expect(
        (await teams.post(activities.personal(connector.url, 'checkin'), { authorization: 'Bearer a.b.c' })).status,
      ).toBe(401);
    } finally {
      await connector.close();
    }
  });
});
