/**
 * Jobs survive a restart: a nudge set before the process stopped, and a session's reminder, are sent by the next
 * process on the same SQLite file, once.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import { buttonsOf } from '../../support/make-bot.js';
import { tempDir } from '../../support/temp.js';
import { createSession, joinRoute, person, sessionBot, turn, until } from '../sessions/support.js';

const NOW = Date.parse('2026-12-02T09:00:00Z');

describe('after a restart', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('the next process sends the nudge and the reminder that were planned before, once each', async () => {
    const path = join(tempDir(), 'restart.sqlite');
    const first = await sessionBot({ store: openSqliteStore({ path }), env: { SESSION_REMINDERS: '1d' } });
    await first.bot.startBackground();
    const me = person('UA', 'console');
    const card = await turn(first.bot, me.says('herinner mij'));
    await turn(first.bot, me.clicks(buttonsOf(card.last()).get('Elke week')!));
    const id = await createSession(first.bot, { title: 'Bubbel', startsAt: '2026-12-10 14:00' });
    await turn(first.bot, me.clicks(joinRoute(id)));
    await first.bot.stopBackground();
    await first.bot.store.close();

    const second = await sessionBot({ store: openSqliteStore({ path }), env: { SESSION_REMINDERS: '1d' } });
    try {
      await second.bot.startBackground();
      vi.setSystemTime(Date.parse('2026-12-09T13:01:00Z'));
      const texts = () => second.sent.filter((s) => s.to.conversationId === 'D-UA').map((s) => s.message.text);
      await until(
        () => texts().some((t) => t.includes('check-in')) && texts().some((t) => t.includes('Denk je eraan')),
      );
      await new Promise((r) => setTimeout(r, 500));
      expect(texts().filter((t) => t.includes('check-in'))).toHaveLength(1);
      expect(texts().filter((t) => t.includes('Denk je eraan'))).toHaveLength(1);
      expect(first.sent).toHaveLength(0);
    } finally {
      await second.bot.stopBackground();
      await second.bot.store.close();
    }
  });
});
