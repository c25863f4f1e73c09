/**
 * The monthly digest: an organiser who turned it on gets the card of the month that ended, once, through the
 * broadcaster — held in quiet hours until the next allowed moment.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Core } from '../../../src/app.js';
import { makeBot, person, recordingIO } from '../../support/make-bot.js';
import { recordingAdapter } from '../announcements/support.js';
import { until } from '../sessions/support.js';
import { checkIn, insightsOf, said, fakeDateAndStopBot } from './support.js';

describe('the monthly digest', () => {
  let bot: Core;
  fakeDateAndStopBot(() => bot);

  it('goes out once a month, after quiet hours, with the card of the month that ended', async () => {
    bot = await makeBot({ env: { QUIET_HOURS: '21:00-08:00' } });
    const recorder = recordingAdapter();
    bot.registry.register(recorder.adapter);
    vi.setSystemTime(Date.parse('2026-10-14T10:00:00Z'));
    for (const u of ['UA', 'UB', 'UC', 'UD', 'UE']) await checkIn(bot, person(u, 'console'));
    const io = recordingIO();
    // In the terminal (local mode) the person at the keyboard is an organiser.
    await bot.receive(person('UORG', 'console').says('maandoverzicht'), io);
    expect(said(io.last())).toContain('elke maand');

    // 1 November, 22:30 in Amsterdam: the digest is made, but waits for the morning.
    vi.setSystemTime(Date.parse('2026-11-01T21:30:00Z'));
    await bot.startBackground();
    await insightsOf(bot).runDaily();
    await insightsOf(bot).runDaily();
    await until(async () => (await bot.broadcasts.get('insights-digest.2026-10'))?.status === 'sending');
    await new Promise((r) => setTimeout(r, 300));
    expect(recorder.sent).toHaveLength(0);

    vi.setSystemTime(Date.parse('2026-11-02T07:05:00Z'));
    await until(() => recorder.sent.length > 0);
    await new Promise((r) => setTimeout(r, 300));
    expect(recorder.sent).toHaveLength(1);
    const digest = said(recorder.sent[0]!.message);
    expect(recorder.sent[0]!.to.conversationId).toBe('D-UORG');
    expect(digest).toContain('Inzichten oktober 2026');
    expect(digest).toContain('5 check-ins');
    expect(digest).toContain('maandoverzicht over oktober 2026');
    expect(digest).toContain('Maandoverzicht uitzetten');
  }, 20_000);
});
