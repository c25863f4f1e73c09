/**
 * Store faults as they were found: a full disk and a read-only database. A turn whose writes were not committed
 * never shows the next question — the person gets the friendly error in their language and nothing they answered
 * is lost (they can answer again); /readyz reports not ready while writes fail and ready again, without a restart,
 * once they work. The faults are real SQLite failures: `max_page_count` gives SQLITE_FULL on the next write,
 * `query_only` makes the connection refuse writes (SQLITE_READONLY).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import { makeBot, person, questionBlock, recordingIO } from '../support/make-bot.js';
import { tempDir } from '../support/temp.js';

let store: SqliteStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

const GENERIC_NL = 'Er ging iets mis aan onze kant. Probeer het zo nog eens.';
const GENERIC_EN = 'Something went wrong on our side. Please try again in a moment.';

async function setup(options: { minFreeBytes?: number } = {}) {
  store = openSqliteStore({ path: join(tempDir(), 'bb.sqlite'), purgeIntervalMs: 0, minFreeBytes: 0, ...options });
  const core = await makeBot({ store, features: 'sample' });
  return { core, store };
}

/** Start the sample check-in for a person; returns the first question's route. */
async function started(core: Awaited<ReturnType<typeof makeBot>>, who: ReturnType<typeof person>) {
  const io = recordingIO();
  await core.receive(who.says('checkin'), io);
  const question = questionBlock(io.last());
  expect(question?.route.data?.s).toBe('topic');
  return question!.route;
}

describe('a full disk', () => {
  it('fails the turn with the friendly error, not the next question; the answer can be given again', async () => {
    const { core, store } = await setup();
    const who = person('U-full');
    const route = await started(core, who);
    store.db.pragma(`max_page_count = ${store.db.pragma('page_count', { simple: true }) as number}`);
    // Fill what is left of the last page, so the answer's write cannot fit.
    await store.set('filler', 'x'.repeat(4000)).catch(() => undefined);

    // The adapter could not even record the event: it answers the platform with a retryable status.
    const click = who.clicks({ route, choice: 'wind' });
    await expect(core.hostFor('slack').accept('slack', click.id)).rejects.toThrow();
    // A turn already under way when the disk filled up: its answer is not committed, so it is not confirmed.
    const failed = recordingIO();
    await core.pipeline.handle(click, failed);
    expect(failed.texts()).toEqual([GENERIC_NL]);
    expect(questionBlock(failed.last())).toBeUndefined();
    expect(await store.health()).toMatchObject({ writable: false, reason: expect.stringContaining('SQLITE_FULL') });

    store.db.pragma('max_page_count = 1073741823');
    // A failed batch refuses the rest of its event-loop turn; the next turn (as the next /readyz request) is fresh.
    await new Promise((resolve) => setImmediate(resolve));
    expect(await store.health()).toEqual({ writable: true });
    const again = recordingIO();
    await core.receive(who.clicks({ route, choice: 'wind' }), again);
    expect(questionBlock(again.last())?.route.data?.s).toBe('voices');
  });

  it('readiness turns false under the free-space threshold (before the disk is actually full)', async () => {
    const { store } = await setup({ minFreeBytes: Number.MAX_SAFE_INTEGER });
    expect(await store.health()).toMatchObject({ writable: false, reason: expect.stringMatching(/^low disk space/) });
  });
});

describe('a read-only database', () => {
  it('fails the turn kindly in the person’s language; readiness follows the database without a restart', async () => {
    const { core, store } = await setup();
    const who = person('U-readonly');
    await core.receive(who.says('taal en'), recordingIO());
    const route = await startedEn(core, who);
    store.db.pragma('query_only = ON');
    const click = who.clicks({ route, choice: 'wind' });
    await expect(core.hostFor('slack').accept('slack', click.id)).rejects.toThrow();
    const failed = recordingIO();
    await core.pipeline.handle(click, failed);
    expect(failed.texts()).toEqual([GENERIC_EN]);
    expect(await store.health()).toMatchObject({ writable: false, reason: expect.stringContaining('read-only') });

    store.db.pragma('query_only = OFF');
    expect(await store.health()).toEqual({ writable: true });
    const again = recordingIO();
    await core.receive(who.clicks({ route, choice: 'wind' }), again);
    expect(questionBlock(again.last())?.route.data?.s).toBe('voices');
  });
});

async function startedEn(core: Awaited<ReturnType<typeof makeBot>>, who: ReturnType<typeof person>) {
  const io = recordingIO();
  await core.receive(who.says('checkin'), io);
  return questionBlock(io.last())!.route;
}
