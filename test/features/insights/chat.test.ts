/**
 * Insights in the chat: facts recorded when a check-in result is shown (no person in them, the month in the bot's
 * time zone), the card for organisers only, suppression with its reason, the CSV file, the digest subscription.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { Core } from '../../../src/app.js';
import type { InboundEvent } from '../../../src/message/types.js';
import { makeBot, person, recordingIO } from '../../support/make-bot.js';
import { checkIn, said, fakeDateAndStopBot } from './support.js';

const turn = async (bot: Core, event: Parameters<Core['receive']>[0]) => {
  const io = recordingIO();
  await bot.receive(event, io);
  return io;
};

/** The same person's events as if they came from another workspace. */
function inTenant(p: ReturnType<typeof person>, tenantId: string): ReturnType<typeof person> {
  const fix = <E extends InboundEvent>(e: E): E => ({
    ...e,
    user: { ...e.user, tenantId },
    conversation: { ...e.conversation, tenantId },
  });
  return {
    ...p,
    says: (text) => fix(p.says(text)),
    command: (text) => fix(p.command(text)),
    clicks: (action) => fix(p.clicks(action)),
  };
}

describe('insights in the chat', () => {
  let bot: Core;
  fakeDateAndStopBot(() => bot);

  it('records a fact per person and month, without a person or a time, at the month of Europe/Amsterdam', async () => {
    bot = await makeBot({ env: { ORGANISERS: 'slack:UORG', QUIET_HOURS: 'off' } });
    const a = person('UA', 'slack');
    const pa = bot.pseudonymize({ platform: 'slack', tenantId: 'T1', userId: 'UA' });
    // 23:30 in Amsterdam on 31 October (UTC+1): still October.
    vi.setSystemTime(Date.parse('2026-10-31T22:30:00Z'));
    await checkIn(bot, a);
    // A second check-in in the same month replaces the first: a month counts people.
    await checkIn(bot, a, ['debating']);
    // 00:30 in Amsterdam on 1 November: November.
    vi.setSystemTime(Date.parse('2026-10-31T23:30:00Z'));
    await checkIn(bot, a);
    const facts = (await bot.store.list<Record<string, unknown>>('insights:f:', { limit: 100 })).entries;
    expect(facts.map((f) => f.key.split(':')[4]).sort()).toEqual(['2026-10', '2026-11']);
    const october = facts.find((f) => f.key.includes(':2026-10:'))!;
    expect(october.value).toEqual({
      track: 'conflict',
      phase: 'win-win',
      roles: [],
      voices: ['neighbours'],
      flags: expect.any(Array),
      modules: expect.any(Array),
    });
    for (const f of facts) {
      expect(f.key).not.toContain(pa);
      expect(f.key).not.toContain('T1');
      expect(JSON.stringify(f.value)).not.toMatch(/UA|T1|2026|\d{10,}/);
    }
    // Only the short-lived link of each month is the person's, and "vergeet mij" leaves the facts.
    const mine = (await bot.store.keysOf(pa)).filter((key) => key.startsWith('insights:'));
    expect(mine.every((key) => key.startsWith(`insights:mine:${pa}:`))).toBe(true);
    const asked = await turn(bot, a.says('vergeet mij'));
    const yes = asked.last()!.blocks.flatMap((b) => (b.type === 'buttons' ? b.buttons : []))[0]!;
    await turn(bot, a.clicks({ route: yes.route }));
    expect(await bot.store.keysOf(pa)).toEqual([]);
    expect((await bot.store.list('insights:f:', { limit: 100 })).entries).toHaveLength(2);
  });

  it('shows organisers of the workspace a card with every number in text, hides small cells with the reason', async () => {
    bot = await makeBot({ env: { ORGANISERS: 'slack:UORG', QUIET_HOURS: 'off', INSIGHTS_K: '3' } });
    vi.setSystemTime(Date.parse('2026-10-10T10:00:00Z'));
    for (const u of ['UA', 'UB', 'UC', 'UD']) await checkIn(bot, person(u, 'slack'));
    await checkIn(bot, person('UE', 'slack'), ['debating']);
    // Another tenant's check-ins never show in this one.
    for (const u of ['UX', 'UY', 'UZ']) await checkIn(bot, inTenant(person(u, 'slack'), 'T2'));
    expect((await bot.store.list('insights:f:', { limit: 100 })).entries).toHaveLength(8);
    vi.setSystemTime(Date.parse('2026-11-03T10:00:00Z'));

    const stranger = await turn(bot, person('UA', 'slack').says('inzichten'));
    expect(stranger.texts().join('\n')).toContain('alleen voor organisatoren');
    expect(said(stranger.sent())).not.toContain('Inzichten oktober');
    // The card's buttons are for organisers too: a forwarded or crafted button shows nothing.
    for (const verb of ['show', 'csv']) {
      const pressed = await turn(
        bot,
        person('UA', 'slack').clicks({ route: { feature: 'insights', verb, data: { m: '1' } } }),
      );
      expect(pressed.texts().join('\n'), verb).toContain('alleen voor organisatoren');
      expect(said(pressed.sent()), verb).not.toContain('check-ins');
    }

    const card = (await turn(bot, person('UORG', 'slack').says('inzichten'))).last()!;
    const text = said(card);
    expect(text).toContain('Inzichten oktober 2026');
    expect(text).toContain('5 check-ins');
    // Phase: 4 win-lose, 1 win-win (below 3: hidden) — and then the next-smallest too, so 5 - 4 gives nothing away;
    // both with the same reason, so the reasons do not tell which of the two is the small one.
    const HIDDEN_TEXT = 'verborgen: minder dan 3 mensen, of verborgen zodat een kleine groep niet terug te rekenen is';
    const phaseFacts = card.blocks.filter((b) => b.type === 'facts')[1];
    expect(phaseFacts).toEqual({
      type: 'facts',
      facts: [
        { label: 'winnen-winnen', value: HIDDEN_TEXT },
        { label: 'winnen-verliezen', value: HIDDEN_TEXT },
        { label: 'verliezen-verliezen', value: '0' },
        { label: 'fase onbekend', value: '0' },
      ],
    });
    const trackFacts = card.blocks.filter((b) => b.type === 'facts')[0];
    expect(trackFacts?.type === 'facts' && trackFacts.facts[0]).toEqual({
      label: 'een conflict tussen partijen',
      value: '5  ▇▇▇▇▇▇▇▇▇▇▇▇',
    });
    // The picture is inline in local mode, with its words.
    const picture = card.blocks.find((b) => b.type === 'image');
    expect(picture).toMatchObject({ alt: expect.stringContaining('Alle getallen staan hieronder in tekst') });
    expect(picture && 'inline' in picture && picture.inline?.startsWith('data:image/png;base64,')).toBe(true);

    // The CSV in the terminal is a file; suppressed cells have no number.
    const csvButton = card.blocks
      .flatMap((b) => (b.type === 'buttons' ? b.buttons : []))
      .find((b) => b.route.verb === 'csv')!;
    const terminal = person('UORG', 'console');
    const csv = await turn(bot, terminal.clicks({ route: csvButton.route }));
    const path = /staat hier: ([^"]+\.csv)/.exec(said(csv.sent()))?.[1];
    expect(path).toBeDefined();
    const rows = readFileSync(path!, 'utf8').split('\r\n');
    expect(rows[0]).toBe('dimension,category,label,count,suppressed,reason');
    // The console organiser is a group of its own: nothing was counted there.
    expect(rows[1]).toBe('total,checkins,Aantal check-ins,0,false,');

    // An organiser asking for this month sees only whole months that ended.
    await checkIn(bot, person('UF', 'slack'));
    const again = said((await turn(bot, person('UORG', 'slack').says('inzichten'))).last());
    expect(again).toContain('5 check-ins');
  });

  it('a month with fewer than k check-ins is left out and says why', async () => {
    bot = await makeBot({ env: { ORGANISERS: 'slack:UORG', QUIET_HOURS: 'off' } });
    vi.setSystemTime(Date.parse('2026-09-10T10:00:00Z'));
    for (const u of ['UA', 'UB']) await checkIn(bot, person(u, 'slack'));
    vi.setSystemTime(Date.parse('2026-10-02T10:00:00Z'));
    const card = said((await turn(bot, person('UORG', 'slack').says('inzichten'))).last());
    expect(card).toContain('Deze maand telt niet mee, want er waren minder dan 5 check-ins: september 2026');
    expect(card).toContain('Geen check-ins');
    expect(card).not.toMatch(/"value":"2/);
  });

  it('an organiser turns the monthly digest on and off; "vergeet mij" takes them off the list', async () => {
    bot = await makeBot({ env: { ORGANISERS: 'slack:UORG', QUIET_HOURS: 'off' } });
    const org = person('UORG', 'slack');
    const p = bot.pseudonymize({ platform: 'slack', tenantId: 'T1', userId: 'UORG' });
    expect(said((await turn(bot, org.says('maandoverzicht'))).last())).toContain('elke maand');
    expect((await bot.store.indexRange('insights:digests')).entries.map((e) => e.member)).toEqual([p]);
    expect(said((await turn(bot, org.says('maandoverzicht uit'))).last())).toContain('geen maandoverzicht meer');
    expect(await bot.store.indexCount('insights:digests')).toBe(0);
    await turn(bot, org.says('maandoverzicht aan'));
    const asked = await turn(bot, org.says('vergeet mij'));
    const yes = asked.last()!.blocks.flatMap((b) => (b.type === 'buttons' ? b.buttons : []))[0]!;
    const done = await turn(bot, org.clicks({ route: yes.route }));
    expect(said(done.log.map((r) => ('message' in r ? r.message : undefined)))).toContain(
      'je maandoverzicht van de inzichten',
    );
    expect(await bot.store.indexCount('insights:digests')).toBe(0);
    expect(await bot.store.get(`insights:digest:${p}`)).toBeUndefined();
    // A stranger cannot subscribe.
    expect(said((await turn(bot, person('UA', 'slack').says('maandoverzicht'))).last())).toContain(
      'alleen voor organisatoren',
    );
    expect(await bot.store.indexCount('insights:digests')).toBe(0);
  });
});
