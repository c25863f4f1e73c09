import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Core } from '../../../src/app.js';
import { advance, firstNudge, nextAfter } from '../../../src/features/nudges/model.js';
import { buttonsOf } from '../../support/make-bot.js';
import type { Delivered } from '../announcements/support.js';
import { formOf, person, sessionBot, submit, turn, until } from '../sessions/support.js';

const zone = 'Europe/Amsterdam';
const wall = (at: number) =>
  new Intl.DateTimeFormat('nl-NL', { dateStyle: 'full', timeStyle: 'short', timeZone: zone }).format(at);

describe('the nudge schedule', () => {
  it('keeps the wall-clock time across daylight saving time and month ends', () => {
    const march = Date.parse('2027-03-15T09:00:00Z'); // 10:00 CET
    expect(wall(advance(march, 'month', zone))).toBe('donderdag 15 april 2027 om 10:00');
    expect(advance(march, 'month', zone) - march).toBe(31 * 86_400_000 - 3_600_000);
    const endOfJanuary = Date.parse('2027-01-31T09:00:00Z');
    expect(wall(advance(endOfJanuary, 'month', zone))).toBe('zondag 28 februari 2027 om 10:00');
    expect(wall(advance(march, '2weeks', zone))).toBe('maandag 29 maart 2027 om 10:00');
  });

  it('starts one period from now at 10:00, and skips moments missed while the bot was down', () => {
    const now = Date.parse('2026-12-02T14:30:00Z');
    expect(wall(firstNudge(now, 'week', zone))).toBe('woensdag 9 december 2026 om 10:00');
    const nudge = { next: firstNudge(now, 'week', zone), every: 'week' as const, timeZone: zone };
    expect(wall(nextAfter(nudge, nudge.next + 15 * 86_400_000))).toBe('woensdag 30 december 2026 om 10:00');
  });
});

// Wednesday 2 December 2026, 10:00 in Amsterdam.
const NOW = Date.parse('2026-12-02T09:00:00Z');

describe('check-in nudges', () => {
  let bot: Core | undefined;
  let sent: Delivered[];
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
  const to = (user: string) =>
    sent.filter((s) => s.to.conversationId === `D-${user}` && s.message.text.includes('check-in'));

  it('a monthly nudge a person set for themselves: sent after quiet hours, paused, then stopped', async () => {
    ({ bot, sent } = await sessionBot({ env: { QUIET_HOURS: '21:00-08:00,weekend' } }));
    await bot.startBackground();
    const me = person('UA', 'console');
    const card = await turn(bot, me.says('herinner mij'));
    expect(card.texts()[0]).toContain('Herinnering voor een check-in');
    const set = await turn(bot, me.clicks(buttonsOf(card.last()).get('Elke maand')!));
    expect(JSON.stringify(set.last())).toContain('zaterdag 2 januari 2027 om 10:00');
    // Saturday 2 January is quiet (weekend): the message waits for Monday 08:00.
    vi.setSystemTime(Date.parse('2027-01-02T09:01:00Z'));
    await new Promise((r) => setTimeout(r, 400));
    expect(to('UA')).toHaveLength(0);
    vi.setSystemTime(Date.parse('2027-01-04T07:01:00Z'));
    await until(() => to('UA').length === 1);
    expect(buttonsOf(to('UA')[0]!.message).has('Check-in starten')).toBe(true);
    const next = JSON.stringify((await turn(bot, me.says('herinner mij'))).last());
    expect(next).toContain('dinsdag 2 februari 2027 om 10:00');

    // Paused for four weeks, and then weekly: the nudges in the pause are skipped, the schedule goes on.
    const paused = await turn(bot, me.clicks(buttonsOf(to('UA')[0]!.message).get('4 weken pauzeren')!));
    expect(paused.texts()[0]).toContain('Gepauzeerd tot');
    const weekly = await turn(bot, me.clicks(buttonsOf(card.last()).get('Elke week')!));
    expect(JSON.stringify(weekly.last())).toContain('maandag 11 januari 2027 om 10:00');
    vi.setSystemTime(Date.parse('2027-01-11T09:01:00Z'));
    await until(async () =>
      JSON.stringify((await turn(bot!, me.says('herinner mij'))).last()).includes('18 januari 2027'),
    );
    expect(to('UA')).toHaveLength(1);
    expect(JSON.stringify((await turn(bot, me.says('mijn gegevens'))).last())).toContain('Elke week');
    await turn(bot, me.clicks(buttonsOf(to('UA')[0]!.message).get('Stoppen met herinneren')!));
    expect(await bot.queue.size('nudges.fire')).toBe(0);
  });

  it("an organiser's nudge for a topic reaches its subscribers only, never people who did not opt in", async () => {
    ({ bot, sent } = await sessionBot());
    await bot.startBackground();
    const reader = person('UREADER', 'console');
    const overview = await turn(bot, reader.says('abonneren'));
    await turn(bot, reader.clicks([...buttonsOf(overview.last()).values()][0]!));
    await turn(bot, person('UBYSTANDER', 'console').says('help'));
    const organiser = person('UORG', 'console');
    const admin = await turn(bot, organiser.says('checkin herinneringen'));
    const form = formOf(admin.last())!;
    const added = await turn(bot, organiser.clicks(submit(form, { topic: 'algemeen', every: 'week' })));
    expect(JSON.stringify(added.last())).toContain('woensdag 9 december 2026 om 10:00');
    expect((await turn(bot, person('USTRANGER', 'slack').says('checkin herinneringen'))).texts()[0]).toContain(
      'alleen voor organisatoren',
    );
    vi.setSystemTime(Date.parse('2026-12-09T09:01:00Z'));
    await until(() => to('UREADER').length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(to('UBYSTANDER')).toHaveLength(0);
    expect(to('UORG')).toHaveLength(0);
    const log = await bot.store.indexRange('organisers:audit');
    expect(log.entries.map((e) => JSON.parse(e.member).what)).toContain('nudge.set');
  });
});
