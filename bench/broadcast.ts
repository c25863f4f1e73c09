/**
 * One announcement to 10,000 recipients — channels and subscribers on Slack and Teams — through the platform double
 * (test/support/platform-double.ts) on the real outbound path and the SQLite queue, with 5 % of posts answered 429.
 * Every rate is scaled 10× on both sides (the adapters' limits and the double's), and Retry-After alike (Slack's
 * header carries whole seconds, so a Slack 429 still asks for at least 1 s).
 *
 * The bound, per platform (they run in parallel, so the larger counts): every call the double had to answer
 * (delivered, refused by an injected 429, unreachable) at the platform's scaled rate — fixed windows, so N calls
 * need ⌈N/points⌉ windows — plus the Retry-After waits the double imposed on the platform as a whole: on Slack a
 * 429 holds chat.postMessage for the workspace, so the time covered by a running Retry-After; on Teams a 429
 * holds one conversation only, so the longest single wait. Figures: time ÷ bound, lost, duplicates; once in one
 * process, once killed with SIGKILL half-way and started again. docs/benchmarks.md, "Broadcast".
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TUNING as SLACK_TUNING } from '../adapters/slack/types.js';
import { type AudienceSpec, expectedKeys, openRig } from '../test/support/broadcast-rig.js';
import {
  type DoubleReport,
  type PlatformDouble,
  scaleWindows,
  startPlatformDouble,
  type Window,
} from '../test/support/platform-double.js';

const SCALE = 10;
const SPEC: AudienceSpec = { slackChannels: 50, slackPeople: 450, teamsChannels: 500, teamsPeople: 9_000 };
const RATE_LIMITED = 0.05;
const SEED = 42;
/** The app's queue defaults: idle poll 200 ms; a killed process's jobs are free again after 30 s, scaled: 3 s. */
const POLL_MS = 200;
const LEASE_MS = 30_000 / SCALE;

export interface BroadcastRun {
  seconds: number;
  boundSeconds: number;
  ratio: number;
  recipients: number;
  delivered: number;
  lost: number;
  duplicates: number;
  unreachable: number;
  injected429: number;
  overLimit: number;
  ignoredRetryAfter: number;
  perPlatform: Record<
    'slack' | 'teams',
    { recipients: number; calls: number; rateSeconds: number; heldSeconds: number; seconds: number }
  >;
}

export interface BroadcastBenchResult {
  settings: {
    scale: number;
    spec: AudienceSpec;
    rateLimited: number;
    pollMs: number;
    leaseMs: number;
    concurrency: number;
  };
  single: BroadcastRun;
  killed?: BroadcastRun & { deliveredAtKill: number };
}

/** The least time for `calls` calls under fixed windows: the last of ⌈calls/points⌉ windows must have started. */
function rateSeconds(calls: number, windows: readonly Window[]): number {
  return Math.max(0, ...windows.map((w) => (Math.ceil(calls / w.points) - 1) * w.durationMs)) / 1000;
}

function measure(double: PlatformDouble, started: number, finished: number, spec: AudienceSpec): BroadcastRun {
  const expected = expectedKeys(spec, double.serviceUrl);
  const report: DoubleReport = double.report(expected);
  const windows = {
    slack: scaleWindows(SLACK_TUNING.workspacePostLimits, SCALE),
    teams: scaleWindows([{ points: 30, durationMs: 1000 }], SCALE),
  };
  const recipients = { slack: spec.slackChannels + spec.slackPeople, teams: spec.teamsChannels + spec.teamsPeople };
  const perPlatform = {} as BroadcastRun['perPlatform'];
  for (const platform of ['slack', 'teams'] as const) {
    const posts = double.posts.filter((p) => p.platform === platform);
    // Calls the platform had to answer; calls over a limit or during a Retry-After are the app's own doing.
    const calls = posts.filter((p) => ['ok', 'injected-429', 'unreachable', 'server-error'].includes(p.outcome)).length;
    const held =
      platform === 'slack'
        ? report.heldMs.slack
        : Math.max(0, ...posts.filter((p) => p.outcome === 'injected-429').map((p) => p.retryAfterMs ?? 0));
    const span = report.span[platform];
    perPlatform[platform] = {
      recipients: recipients[platform],
      calls,
      rateSeconds: rateSeconds(calls, windows[platform]),
      heldSeconds: held / 1000,
      seconds: span ? (span.last - started) / 1000 : 0,
    };
  }
  const bound = Math.max(...Object.values(perPlatform).map((p) => p.rateSeconds + p.heldSeconds));
  const seconds = (finished - started) / 1000;
  return {
    seconds: round(seconds),
    boundSeconds: round(bound),
    ratio: round(seconds / bound),
    recipients: expected.length,
    delivered: report.delivered,
    lost: report.lost.length,
    duplicates: report.duplicates,
    unreachable: report.unreachable.length,
    injected429: report.injected429,
    overLimit: report.overLimit,
    ignoredRetryAfter: report.ignoredRetryAfter,
    perPlatform: Object.fromEntries(
      Object.entries(perPlatform).map(([k, v]) => [
        k,
        { ...v, rateSeconds: round(v.rateSeconds), heldSeconds: round(v.heldSeconds), seconds: round(v.seconds) },
      ]),
    ) as BroadcastRun['perPlatform'],
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

const double = () =>
  startPlatformDouble({ scale: SCALE, rateLimitedRate: RATE_LIMITED, unreachableRate: 0.001, seed: SEED });

/** In this process: seed the address book, then time the broadcast from its creation until it is done. */
async function single(dir: string): Promise<BroadcastRun> {
  const d = await double();
  const rig = await openRig({
    backend: 'sqlite',
    dbPath: join(dir, 'single.sqlite'),
    apiUrl: d.apiUrl,
    serviceUrl: d.serviceUrl,
    scale: SCALE,
    pollMs: POLL_MS,
  });
  try {
    await rig.seed(SPEC);
    const started = Date.now();
    await rig.run('bench', SPEC);
    return measure(d, started, Date.now(), SPEC);
  } finally {
    await rig.close();
    await d.close();
  }
}

const CHILD = fileURLToPath(new URL('../test/delivery/support/broadcast-child.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

/** In a child process killed with SIGKILL once half the recipients have it, then started again. */
async function killed(dir: string): Promise<BroadcastRun & { deliveredAtKill: number }> {
  const d = await double();
  const db = join(dir, 'killed.sqlite');
  const env = { ...process.env, BB_RIG_POLL_MS: String(POLL_MS), BB_RIG_LEASE_MS: String(LEASE_MS) };
  const spawnChild = (stdout: 'ignore' | 'pipe'): ChildProcess =>
    spawn(TSX, [CHILD, 'sqlite', db, d.apiUrl, d.serviceUrl, JSON.stringify(SPEC)], {
      stdio: ['ignore', stdout, 'inherit'],
      env,
    });
  try {
    // The address book is seeded here first: seeding is not timed.
    const seeding = await openRig({
      backend: 'sqlite',
      dbPath: db,
      apiUrl: d.apiUrl,
      serviceUrl: d.serviceUrl,
      scale: SCALE,
    });
    await seeding.seed(SPEC);
    await seeding.close();
    const total = expectedKeys(SPEC, d.serviceUrl).length;
    const started = Date.now();
    const first = spawnChild('ignore');
    while (d.deliveredPer().size < total / 2) {
      if (first.exitCode !== null) throw new Error('the first run ended before half-way');
      await new Promise((r) => setTimeout(r, 5));
    }
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const deliveredAtKill = d.deliveredPer().size;
    const second = spawnChild('pipe');
    second.stdout?.resume();
    const code = await new Promise((r) => second.once('exit', r));
    if (code !== 0) throw new Error(`the second run ended with ${String(code)}`);
    const run = measure(d, started, Date.now(), SPEC);
    return { ...run, deliveredAtKill };
  } finally {
    await d.close();
  }
}

/** Both runs; `BENCH_QUICK=1` skips the killed one. */
export async function runBroadcastBench(): Promise<BroadcastBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bb-broadcast-'));
  try {
    const singleRun = await single(dir);
    const killedRun = process.env.BENCH_QUICK ? undefined : await killed(dir);
    return {
      settings: {
        scale: SCALE,
        spec: SPEC,
        rateLimited: RATE_LIMITED,
        pollMs: POLL_MS,
        leaseMs: LEASE_MS,
        concurrency: 32,
      },
      single: singleRun,
      killed: killedRun,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
