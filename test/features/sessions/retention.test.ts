import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Core } from '../../../src/app.js';
import { createSession, joinRoute, person, sessionBot, turn, until } from './support.js';

const NOW = Date.parse('2026-12-02T09:00:00Z');
const DAY = 86_400_000;

describe('retention of sessions, registrations and attendance', () => {
  let bot: Core | undefined;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(async () => {
    await bot?.stopBackground();
    await bot?.store.close();
    bot = undefined;
    vi.useRealTimers();
  });

  it('keeps them SESSION_RETENTION_DAYS after the session, then the daily job deletes them', async () => {
    ({ bot } = await sessionBot({ env: { SESSION_RETENTION_DAYS: '30' } }));
    const id = await createSession(bot, { title: 'Bubbel', startsAt: '2026-12-03 14:00' });
    const a = person('UA', 'console');
    await turn(bot, a.clicks(joinRoute(id)));
    const pseudonym = bot.pseudonymize({ platform: 'console', tenantId: 'T1', userId: 'UA' });
    const rsvp = `sessions:rsvp:${id}:${pseudonym}`;
    expect((await bot.store.getVersioned(rsvp)).version).toBeGreaterThan(0);
    expect(JSON.stringify((await turn(bot, a.says('mijn gegevens'))).last())).toContain('30 dagen na de sessie');

    // 29 days after the session everything is still there; the daily job runs an hour after start-up.
    vi.setSystemTime(Date.parse('2026-12-03T16:00:00Z') + 29 * DAY);
    await bot.startBackground();
    await until(async () => (await bot!.store.indexCount(`sessions:attendance:${id}`)) === 1);
    expect((await bot.store.getVersioned(rsvp)).version).toBeGreaterThan(0);
    expect(await bot.store.get(`sessions:att:${id}:${pseudonym}`)).toMatchObject({ attended: true });
    vi.setSystemTime(Date.parse('2026-12-03T16:00:00Z') + 32 * DAY);
    await until(async () => (await bot!.store.indexCount('sessions:by-start')) === 0);
    expect((await bot.store.getVersioned(`sessions:s:${id}`)).version).toBe(0);
    expect(await bot.store.indexCount(`sessions:seated:${id}`)).toBe(0);
    expect(await bot.store.counter(`sessions:seats:${id}`)).toBe(0);
    // The person's own records expired by themselves.
    expect((await bot.store.getVersioned(rsvp)).version).toBe(0);
    expect(await bot.store.get(`sessions:att:${id}:${pseudonym}`)).toBeUndefined();
    expect(await bot.store.indexCount(`sessions:mine:${pseudonym}`)).toBe(0);
  });
});
