/**
 * The last three seats, twenty people pressing "ik doe mee" at once, in two processes on one store (Redis, and a
 * SQLite file): exactly three get a seat, nobody is both seated and waiting, and the other seventeen wait in the
 * order they pressed. The processes run the real core (pipeline, sessions feature, store), not a stand-in.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/app.js';
import { openRedisStore } from '../../../src/store/redis-store.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import type { KeyValueStore } from '../../../src/store/store.js';
import {
  connectTestClient,
  deleteNamespace,
  redisAvailable,
  redisUrl,
  type TestRedisClient,
  uniqueNamespace,
} from '../../support/redis.js';
import { tempDir } from '../../support/temp.js';
import { createSession, joinRoute, person, sessionBot, turn } from './support.js';

const worker = fileURLToPath(new URL('./fixtures/seat-race-worker.ts', import.meta.url));

interface Report {
  answers: Record<string, string>;
  startedAt: number;
  endedAt: number;
}

async function race(args: string[], session: string, batches: { user: string; at: number }[][]): Promise<Report[]> {
  const children: ChildProcess[] = batches.map(() =>
    fork(worker, args, { execArgv: ['--import', 'tsx'], stdio: 'inherit' }),
  );
  try {
    const ready = children.map((child) => new Promise<void>((resolve) => child.once('message', () => resolve())));
    const done = children.map(
      (child) =>
        new Promise<Report>((resolve, reject) => {
          let report: Report | undefined;
          child.on('message', (m) => {
            if (typeof m === 'object' && m !== null && 'answers' in m) report = m as Report;
          });
          child.on('error', reject);
          child.on('exit', (code) =>
            code === 0 && report ? resolve(report) : reject(new Error(`worker exit ${code}`)),
          );
        }),
    );
    await Promise.all(ready);
    for (const [i, child] of children.entries()) child.send({ session, presses: batches[i] });
    return await Promise.all(done);
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
}

let admin: TestRedisClient | undefined;
afterAll(() => {
  if (admin?.isOpen) admin.destroy();
});

const backends: {
  name: string;
  skip: boolean;
  open(): Promise<{ store: KeyValueStore; args: string[]; done(): Promise<void> }>;
}[] = [
  {
    name: 'Redis',
    skip: !redisAvailable,
    async open() {
      const namespace = uniqueNamespace();
      const store = await openRedisStore({ url: redisUrl, namespace });
      return {
        store,
        args: ['redis', redisUrl, namespace, tempDir()],
        async done() {
          admin ??= await connectTestClient();
          await deleteNamespace(admin, namespace);
        },
      };
    },
  },
  {
    name: 'SQLite (one file)',
    skip: false,
    async open() {
      const dir = tempDir();
      const path = join(dir, 'race.sqlite');
      return {
        store: openSqliteStore({ path, purgeIntervalMs: 0 }),
        args: ['sqlite', path, '-', dir],
        done: async () => undefined,
      };
    },
  },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`the last seats, across two processes: ${backend.name}`, () => {
    it('20 people pressing at once for the last 3 seats: exactly 3 seats, the rest wait in the order they pressed', async () => {
      const { store, args, done } = await backend.open();
      let bot: Core | undefined;
      try {
        ({ bot } = await sessionBot({ store }));
        // Made in the Slack workspace by its organiser: for the people of that workspace.
        const id = await createSession(
          bot,
          { title: 'Bubbel', startsAt: '2099-12-10 14:00', seats: '14' },
          person('UORG', 'slack'),
        );
        for (let i = 0; i < 11; i += 1) await turn(bot, person(`UEARLY${i}`, 'slack').clicks(joinRoute(id)));
        expect(await store.counter(`sessions:seats:${id}`)).toBe(11);

        // Twenty presses, a millisecond apart, dealt out to the two processes alternately.
        const base = Date.now() - 5000;
        const presses = Array.from({ length: 20 }, (_, i) => ({
          user: `URACE${String(i).padStart(2, '0')}`,
          at: base + i,
        }));
        const reports = await race(args, id, [
          presses.filter((_, i) => i % 2 === 0),
          presses.filter((_, i) => i % 2 === 1),
        ]);
        const answers = Object.assign({}, ...reports.map((r) => r.answers)) as Record<string, string>;
        expect(Object.keys(answers)).toHaveLength(20);
        const [a, b] = reports as [Report, Report];
        expect(a.startedAt < b.endedAt && b.startedAt < a.endedAt).toBe(true);

        const seatedAnswers = presses.filter((p) => answers[p.user]?.includes('Je hebt een plek'));
        const waitingAnswers = presses.filter((p) => answers[p.user]?.includes('wachtlijst'));
        expect(seatedAnswers).toHaveLength(3);
        expect(waitingAnswers).toHaveLength(17);
        expect(await store.counter(`sessions:seats:${id}`)).toBe(14);
        expect(await store.indexCount(`sessions:seated:${id}`)).toBe(14);

        const pseudonymOf = (user: string) => bot!.pseudonymize({ platform: 'slack', tenantId: 'T1', userId: user });
        const line = (await store.indexRange(`sessions:waiting:${id}`, { limit: 100 })).entries.map((e) => e.member);
        // The line is everyone without a seat, in press order.
        expect(line).toEqual(waitingAnswers.map((p) => pseudonymOf(p.user)));
        // Each was told their place as it was then; someone who pressed earlier but arrived later can only have
        // moved in ahead, so nobody's place got better than they were told.
        waitingAnswers.forEach((p, i) => {
          const told = Number(/op plek (\d+)\./.exec(answers[p.user] ?? '')?.[1]);
          expect(told).toBeGreaterThanOrEqual(1);
          expect(told).toBeLessThanOrEqual(i + 1);
        });
        for (const p of seatedAnswers) expect(line).not.toContain(pseudonymOf(p.user));
      } finally {
        await bot?.stopBackground();
        await store.close();
        await done();
      }
    }, 60_000);
  });
}
