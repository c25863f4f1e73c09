import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Core } from '../../../src/app.js';
import { buttonsOf } from '../../support/make-bot.js';
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

describe('sessions in the chat', () => {
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

  it('refuses a session in the past, zero seats and a deadline after the start, with the reason and what was typed', async () => {
    ({ bot } = await sessionBot());
    const form = formOf((await turn(bot, organiser().says('nieuwe sessie'))).last())!;
    const cases: [Record<string, string>, string][] = [
      [{ title: 'Masterclass', startsAt: '2026-11-30 14:00' }, 'al voorbij'],
      [{ title: 'Masterclass', startsAt: '2026-12-10 14:00', seats: '0' }, 'tussen 1 en 200'],
      [
        { title: 'Masterclass', startsAt: '2026-12-10 14:00', registrationDeadline: '2026-12-11 10:00' },
        'vóór de sessie begint',
      ],
      [{ title: '', startsAt: '2026-12-10 14:00' }, 'Titel: vul dit in'],
      [{ title: 'Masterclass', startsAt: 'morgen' }, 'die tijd begrijp ik niet'],
    ];
    for (const [fields, reason] of cases) {
      const refused = formOf((await turn(bot, organiser().clicks(submit(form, fields)))).last());
      expect(refused?.error, reason).toContain(reason);
      expect(refused?.fields.find((f) => f.id === 'startsAt')?.value).toBe(fields.startsAt);
    }
    expect(await bot.store.indexCount('sessions:by-start')).toBe(0);
  });

  it('gives seats, then places in line; a second press changes nothing; cancelling offers the seat to the first in line', async () => {
    let sent: { message: { text: string } }[];
    ({ bot, sent } = await sessionBot());
    await bot.startBackground();
    const id = await createSession(bot, { title: 'Doorbreek de bubbel', startsAt: '2026-12-10 14:00', seats: '2' });
    const [a, b, c, d] = ['UA', 'UB', 'UC', 'UD'].map((u) => person(u, 'console'));
    expect((await turn(bot, a!.clicks(joinRoute(id)))).texts()[0]).toContain('Gelukt! Je hebt een plek');
    expect((await turn(bot, b!.clicks(joinRoute(id)))).texts()[0]).toContain('Je hebt een plek');
    expect((await turn(bot, c!.clicks(joinRoute(id)))).texts()[0]).toContain('wachtlijst, op plek 1');
    expect((await turn(bot, d!.clicks(joinRoute(id)))).texts()[0]).toContain('wachtlijst, op plek 2');
    const again = await turn(bot, c!.clicks(joinRoute(id)));
    expect(again.texts()[0]).toContain('Je staat al op de wachtlijst');
    expect(again.texts()[0]).toContain('plek 1');
    expect(await bot.store.counter(`sessions:seats:${id}`)).toBe(2);
    expect(await bot.store.indexCount(`sessions:waiting:${id}`)).toBe(2);

    const mine = await turn(bot, c!.says('mijn inschrijvingen'));
    expect(said(mine.last())).toContain('je staat op de wachtlijst, op plek 1');

    // A gives the seat back: C (first in line) is offered it with a deadline; the seat stays held.
    expect((await turn(bot, a!.clicks(sessionRoute('leave', id)))).texts()[0]).toContain('afgemeld');
    expect(await bot.store.counter(`sessions:seats:${id}`)).toBe(2);
    await until(() => sent.some((s) => s.message.text.includes('plek vrijgekomen')));
    const offer = await turn(bot, c!.says('mijn inschrijvingen'));
    expect(said(offer.last())).toContain('er staat een plek voor je klaar tot');
    const accepted = await turn(bot, c!.clicks(sessionRoute('accept', id)));
    expect(accepted.texts()[0]).toContain('Gelukt! Je hebt een plek');
    expect(await bot.store.indexCount(`sessions:seated:${id}`)).toBe(2);
    expect(await bot.store.indexCount(`sessions:offers:${id}`)).toBe(0);
    // D moved up to first in line.
    expect(said((await turn(bot, d!.says('mijn inschrijvingen'))).last())).toContain('op plek 1');
  });

  it('an offer that is not accepted in time goes to the next person in line', async () => {
    let sent: { to: { conversationId: string }; message: { text: string } }[];
    ({ bot, sent } = await sessionBot({ env: { SESSION_OFFER_HOURS: '2' } }));
    await bot.startBackground();
    const id = await createSession(bot, { title: 'Bubbel', startsAt: '2026-12-10 14:00', seats: '1' });
    const [a, b, c] = ['UA', 'UB', 'UC'].map((u) => person(u, 'console'));
    for (const p of [a, b, c]) await turn(bot, p!.clicks(joinRoute(id)));
    await turn(bot, a!.clicks(sessionRoute('leave', id)));
    await until(() => sent.some((s) => s.to.conversationId === 'D-UB' && s.message.text.includes('vrijgekomen')));
    // Two hours and a minute later B has not answered: the seat goes to C, and B is told.
    vi.setSystemTime(NOW + 2 * 3_600_000 + 60_000);
    await until(() => sent.some((s) => s.to.conversationId === 'D-UC' && s.message.text.includes('vrijgekomen')));
    await until(() => sent.some((s) => s.to.conversationId === 'D-UB' && s.message.text.includes('doorgegeven')));
    expect((await turn(bot, b!.clicks(sessionRoute('accept', id)))).texts()[0]).toContain('geen plek');
    expect((await turn(bot, c!.clicks(sessionRoute('accept', id)))).texts()[0]).toContain('Je hebt een plek');
    expect(await bot.store.counter(`sessions:seats:${id}`)).toBe(1);
  });

  it('just before the start a freed seat goes to the first in line at once, without a deadline to beat', async () => {
    let sent: { to: { conversationId: string }; message: { text: string } }[];
    ({ bot, sent } = await sessionBot());
    await bot.startBackground();
    // It is 10:00; the session starts at 10:20, too soon for an offer with a deadline of its own.
    const id = await createSession(bot, { title: 'Bubbel', startsAt: '2026-12-02 10:20', seats: '1' });
    const [a, b, c] = ['UA', 'UB', 'UC'].map((u) => person(u, 'console'));
    for (const p of [a, b, c]) await turn(bot, p!.clicks(joinRoute(id)));
    await turn(bot, a!.clicks(sessionRoute('leave', id)));
    expect(await bot.store.counter(`sessions:seats:${id}`)).toBe(1);
    expect(await bot.store.indexCount(`sessions:offers:${id}`)).toBe(0);
    expect(said((await turn(bot, b!.says('mijn inschrijvingen'))).last())).toContain('je hebt een plek');
    expect(said((await turn(bot, c!.says('mijn inschrijvingen'))).last())).toContain('op plek 1');
    await until(() => sent.some((s) => s.to.conversationId === 'D-UB' && s.message.text.includes('nu van jou')));
  });

  it('says kindly when registration has closed or the session is cancelled, and stores nothing', async () => {
    ({ bot } = await sessionBot());
    const id = await createSession(bot, {
      title: 'Bubbel',
      startsAt: '2026-12-10 14:00',
      registrationDeadline: '2026-12-03 12:00',
    });
    const late = person('ULATE', 'console');
    vi.setSystemTime(Date.parse('2026-12-04T09:00:00Z'));
    expect((await turn(bot, late.clicks(joinRoute(id)))).texts()[0]).toContain('aanmeldtijd is voorbij');
    const other = await createSession(bot, { title: 'Later', startsAt: '2026-12-20 14:00' });
    const confirm = await turn(bot, organiser().clicks(sessionRoute('cancelAsk', other)));
    await turn(bot, organiser().clicks(buttonsOf(confirm.last()).get('Ja, annuleren')!));
    expect((await turn(bot, late.clicks(joinRoute(other)))).texts()[0]).toContain('gaat niet door');
    expect(await bot.store.keysOf(bot.pseudonymize({ platform: 'console', tenantId: 'T1', userId: 'ULATE' }))).toEqual(
      [],
    );
  });
});
