import { existsSync, readFileSync } from 'node:fs';
import ICAL from 'ical.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Core } from '../../../src/app.js';
import { buttonsOf } from '../../support/make-bot.js';
import type { Delivered } from '../announcements/support.js';
import {
  createSession,
  formOf,
  joinRoute,
  organiser,
  person,
  said,
  sessionBot,
  sessionRoute,
  submit,
  turn,
  until,
} from './support.js';

// Wednesday 2 December 2026, 10:00 in Amsterdam.
const NOW = Date.parse('2026-12-02T09:00:00Z');

/** The calendar file named in a delivered message, parsed by a real iCalendar parser. */
function calendarIn(message: Delivered['message']) {
  const path = /agenda-bestand staat hier: (\S+\.ics)/.exec(said(message))?.[1];
  expect(path, said(message)).toBeDefined();
  expect(existsSync(path!)).toBe(true);
  const event = new ICAL.Component(ICAL.parse(readFileSync(path!, 'utf8'))).getFirstSubcomponent('vevent')!;
  return {
    uid: event.getFirstPropertyValue('uid'),
    sequence: event.getFirstPropertyValue('sequence'),
    status: event.getFirstPropertyValue('status'),
    start: (event.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().getTime(),
  };
}

describe('reminders and changes reach people', () => {
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

  const to = (user: string, text: string) =>
    sent.filter((s) => s.to.conversationId === `D-${user}` && s.message.text.includes(text));

  it('reminds everyone seated a day before a Monday-morning session on Friday, not in the weekend', async () => {
    ({ bot, sent } = await sessionBot({ env: { QUIET_HOURS: '21:00-08:00,weekend', SESSION_REMINDERS: '1d' } }));
    await bot.startBackground();
    const id = await createSession(bot, { title: 'Bubbel', startsAt: '2026-12-07 09:30', seats: '1' });
    await turn(bot, person('UA', 'console').clicks(joinRoute(id)));
    await turn(bot, person('UB', 'console').clicks(joinRoute(id)));
    const reminder = await bot.broadcasts.get(`${id}.r0-0`);
    expect(new Date(reminder!.sendAt).toISOString()).toBe('2026-12-04T08:30:00.000Z');
    vi.setSystemTime(Date.parse('2026-12-04T08:29:00Z'));
    await new Promise((r) => setTimeout(r, 300));
    expect(to('UA', 'Denk je eraan')).toHaveLength(0);
    vi.setSystemTime(Date.parse('2026-12-04T08:31:00Z'));
    await until(() => to('UA', 'Denk je eraan').length === 1);
    const calendar = calendarIn(to('UA', 'Denk je eraan')[0]!.message);
    expect(calendar).toMatchObject({ uid: `${id}@bubbelbreker`, sequence: 0, status: 'CONFIRMED' });
    expect(calendar.start).toBe(Date.parse('2026-12-07T08:30:00Z'));
    // Only people with a seat are reminded.
    await new Promise((r) => setTimeout(r, 200));
    expect(to('UB', 'Denk je eraan')).toHaveLength(0);
  });

  it('tells everyone seated and waiting when the session moves, with an updated calendar entry, and again when it is cancelled', async () => {
    ({ bot, sent } = await sessionBot({ env: { SESSION_REMINDERS: '1d' } }));
    await bot.startBackground();
    const id = await createSession(bot, { title: 'Bubbel', startsAt: '2026-12-10 14:00', seats: '1' });
    await turn(bot, person('UA', 'console').clicks(joinRoute(id)));
    await turn(bot, person('UB', 'console').clicks(joinRoute(id)));
    await turn(bot, person('UC', 'console').says('help'));
    const edit = formOf((await turn(bot, organiser().clicks(sessionRoute('edit', id)))).last())!;
    const saved = await turn(
      bot,
      organiser().clicks(submit(edit, { ...valuesOf(edit), startsAt: '2026-12-11 10:00' })),
    );
    expect(saved.texts()[0]).toContain('krijgt een bericht');
    await until(() => to('UA', 'is veranderd').length === 1 && to('UB', 'is veranderd').length === 1);
    expect(to('UC', 'is veranderd')).toHaveLength(0);
    const moved = calendarIn(to('UA', 'is veranderd')[0]!.message);
    expect(moved).toMatchObject({ uid: `${id}@bubbelbreker`, sequence: 1 });
    expect(moved.start).toBe(Date.parse('2026-12-11T09:00:00Z'));
    // The reminder of the old time is cancelled; the new time has its own.
    expect((await bot.broadcasts.get(`${id}.r0-0`))?.status).toBe('cancelled');
    expect((await bot.broadcasts.get(`${id}.r1-0`))?.sendAt).toBe(Date.parse('2026-12-10T09:00:00Z'));

    const ask = await turn(bot, organiser().clicks(sessionRoute('cancelAsk', id)));
    expect(ask.texts()[0]).toContain('2 mensen krijgen een bericht');
    await turn(bot, organiser().clicks(buttonsOf(ask.last()).get('Ja, annuleren')!));
    await until(() => to('UA', 'gaat niet door').length === 1 && to('UB', 'gaat niet door').length === 1);
    const cancelled = calendarIn(to('UB', 'gaat niet door')[0]!.message);
    expect(cancelled).toMatchObject({ uid: `${id}@bubbelbreker`, sequence: 2, status: 'CANCELLED' });
    expect((await bot.broadcasts.get(`${id}.r1-0`))?.status).toBe('cancelled');
    const log = await bot.store.indexRange('organisers:audit');
    // Entries of one moment (the clock is fixed here) are ordered by content, not by when.
    expect(log.entries.map((e) => JSON.parse(e.member).what).sort()).toEqual([
      'session.cancelled',
      'session.changed',
      'session.created',
    ]);
  });

  it('"vergeet mij" names the seat it will free before it does, then offers it to the first person waiting', async () => {
    ({ bot, sent } = await sessionBot());
    await bot.startBackground();
    const id = await createSession(bot, { title: 'Bubbel', startsAt: '2026-12-10 14:00', seats: '1' });
    const a = person('UA', 'console');
    await turn(bot, a.clicks(joinRoute(id)));
    await turn(bot, person('UB', 'console').clicks(joinRoute(id)));
    const asked = await turn(bot, a.says('vergeet mij'));
    expect(asked.texts()[0]).toContain('Je plek bij Bubbel');
    expect(asked.texts()[0]).toContain('komt vrij');
    expect(await bot.store.indexCount(`sessions:seated:${id}`)).toBe(1);
    await turn(bot, a.clicks(buttonsOf(asked.last()).get('Ja, wis alles')!));
    expect(await bot.store.indexCount(`sessions:seated:${id}`)).toBe(0);
    expect(await bot.store.indexCount(`sessions:offers:${id}`)).toBe(1);
    await until(() => to('UB', 'vrijgekomen').length === 1);
    const pseudonym = bot.pseudonymize({ platform: 'console', tenantId: 'T1', userId: 'UA' });
    expect(await bot.store.keysOf(pseudonym)).toEqual([]);
    expect(JSON.stringify(await bot.store.indexRange(`sessions:waiting:${id}`))).not.toContain(pseudonym);
  });

  it('counts everyone seated as present after the end; the organiser marks who was absent, by code, not name', async () => {
    ({ bot, sent } = await sessionBot());
    await bot.startBackground();
    const id = await createSession(bot, { title: 'Bubbel', startsAt: '2026-12-03 14:00', durationMinutes: '120' });
    await turn(bot, person('UA', 'console').clicks(joinRoute(id)));
    await turn(bot, person('UB', 'console').clicks(joinRoute(id)));
    const before = await turn(bot, organiser().clicks(sessionRoute('participants', id)));
    expect(said(before.last())).toContain('Na de sessie tellen alle mensen met een plek als aanwezig');
    vi.setSystemTime(Date.parse('2026-12-03T15:01:00Z'));
    await until(async () => (await bot!.store.indexCount(`sessions:attendance:${id}`)) === 2);
    const list = await turn(bot, organiser().clicks(sessionRoute('participants', id)));
    expect(said(list.last())).not.toContain('UA');
    const absent = buttonsOf(list.last()).get('Deelnemer 1 was er niet')!;
    const marked = await turn(bot, organiser().clicks(absent));
    expect(said(marked.last())).toContain('afwezig');
    expect(await bot.store.indexCount(`sessions:attendance:${id}`, { min: 1, max: 1 })).toBe(1);
    const records = await Promise.all(
      ['UA', 'UB'].map((u) =>
        bot!.store.get<{ attended: boolean }>(
          `sessions:att:${id}:${bot!.pseudonymize({ platform: 'console', tenantId: 'T1', userId: u })}`,
        ),
      ),
    );
    expect(records.map((r) => r?.attended).sort()).toEqual([false, true]);
    // Attendance is person data: "mijn gegevens" shows the registration, and the record holds no check-in content.
    expect(Object.keys(records[0]!).sort()).toEqual(['at', 'attended', 'platform', 'session']);
  });
});

function valuesOf(form: NonNullable<ReturnType<typeof formOf>>): Record<string, string> {
  return Object.fromEntries(form.fields.map((f) => [f.id, String(f.value ?? '')]));
}
