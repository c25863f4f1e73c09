/**
 * Signed Slack events through the whole pipeline (shared server, signature check, payload shape, dedupe claim,
 * locale, dialog step, SQLite state write) against a bare @slack/bolt App on its HTTPReceiver that only acknowledges
 * the same events; and once more with every answer sent as Block Kit through WebClient to a local Web API stub.
 * All servers run in child processes of the same run, so their CPU is measured alone; the load comes from here.
 *   npx tsx bench/slack.ts            (BENCH_QUICK=1 for a short run; BENCH_RUNTIME=tsx runs the sources)
 * Reports events/s (autocannon, 50 connections), server CPU per event and its ratio to bare Bolt (the median of
 * the rounds' ratios; the servers take turns, round by round), and ack latency at a steady 500 events/s from a
 * paced generator (autocannon's -R sends bursts, which measures queueing, not the server). `npx tsx bench/slack-profile.ts` shows where
 * the pipeline's CPU goes.
 */
import { createHmac } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_SECRET } from './bench-env.js';
import {
  type Child,
  load,
  measureRounds,
  median,
  type PacedResult,
  paced,
  type RoundStats,
  sleep,
  startChild,
} from './load.js';

const PATH = '/slack/events';

export interface SlackBenchOptions {
  /** Seconds of each throughput round (default 8). */
  seconds?: number;
  /** Throughput rounds per server, alternating (default 5); ratios are medians of the rounds' ratios. */
  rounds?: number;
  connections?: number;
  /** Paced phase: events per second and seconds (default 500 for 10 s). */
  pacedRate?: number;
  pacedSeconds?: number;
  /** People the events rotate over (default 10,000: each sees an event about every 2 s, under Slack's 1 post/s/channel). */
  users?: number;
  /**
   * The code the servers run: `dist`, the build output that `npm start` runs (default; built first when older than
   * the sources), or `tsx`, the TypeScript sources. With `dist`, the pipeline also runs from the sources once more
   * (`pipelineTsx`), for comparison.
   */
  runtime?: 'dist' | 'tsx';
}

interface ServerRun {
  eventsPerSecond: number;
  roundsEventsPerSecond: number[];
  /** Median of the rounds' server CPU per event. */
  cpuMicrosPerEvent: number;
  roundsCpuMicrosPerEvent: number[];
  non2xx: number;
  errors: number;
  paced: PacedResult & { loopDelayP99Ms?: number; loopDelayMaxMs?: number };
  rssMb: number;
}

type Mode = 'bolt' | 'adapter' | 'pipeline' | 'pipeline-send' | 'pipeline-tsx';

export interface SlackBenchResult {
  bench: 'slack';
  /** Verify, claim, dialog step, state write (the issue's pipeline); the bot's answers recorded, not sent. */
  pipeline: ServerRun;
  /** The same plus every answer sent as Block Kit through WebClient to a local Web API stub. */
  pipelineSend: ServerRun;
  /** The Slack transport alone (server, signature, parse, ack, dispatch) with a sink that does nothing. */
  adapter: ServerRun;
  bolt: ServerRun;
  /** The pipeline from the TypeScript sources under tsx (only when the others run the build output). */
  pipelineTsx?: ServerRun;
  /** pipeline events/s ÷ bare Bolt events/s (aim ≥ 0.8). */
  ratio: number;
  ratioWithSend: number;
  /** Server CPU per event ÷ bare Bolt's: the median of the rounds' ratios (aim ≤ 1.1). */
  cpuRatio: number;
  roundsCpuRatio: number[];
  cpuRatioWithSend: number;
  cpuRatioTsx?: number;
  settings: Required<SlackBenchOptions>;
}

/** Signed message.im events, each with a fresh event_id, rotating over `users` people. */
export function eventSource(users: number) {
  let n = 0;
  return () => {
    n += 1;
    const user = `UB${(n % users).toString(36).toUpperCase().padStart(5, '0')}`;
    const ts = `${Math.floor(Date.now() / 1000)}.${String(n % 1e6).padStart(6, '0')}`;
    const body = JSON.stringify({
      token: 'unused',
      team_id: 'T0BENCH',
      api_app_id: 'A0BENCH',
      event: { type: 'message', channel: `D${user}`, user, text: 'checkin', ts, event_ts: ts, channel_type: 'im' },
      type: 'event_callback',
      event_id: `Ev${process.pid.toString(36)}${n.toString(36)}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: 'T0BENCH', user_id: 'UBOT0001', is_bot: true, is_enterprise_install: false }],
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = `v0=${createHmac('sha256', BENCH_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature,
      },
    };
  };
}

/** A bench server in its own process. BENCH_PROFILE=<dir> writes a V8 CPU profile of each server there. */
const startServer = (mode: Mode) =>
  startChild(
    fileURLToPath(new URL('./slack-server.ts', import.meta.url)),
    mode,
    process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [],
  );

/** Build the output `npm start` runs when any source is newer than it (a stale build would measure old code). */
function ensureBuild(): void {
  const built = statSync('dist/src/main.js', { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
      const path = join(dir, entry.name);
      const time = entry.isDirectory() ? newest(path) : entry.name.endsWith('.ts') ? statSync(path).mtimeMs : 0;
      return Math.max(latest, time);
    }, 0);
  if (Math.max(newest('src'), newest('adapters')) > built)
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}

export async function runSlackBench(options: SlackBenchOptions = {}): Promise<SlackBenchResult> {
  const quick = process.env.BENCH_QUICK === '1';
  const settings: Required<SlackBenchOptions> = {
    seconds: options.seconds ?? (quick ? 3 : 8),
    rounds: options.rounds ?? (quick ? 1 : 5),
    connections: options.connections ?? 50,
    pacedRate: options.pacedRate ?? 500,
    pacedSeconds: options.pacedSeconds ?? (quick ? 4 : 10),
    users: options.users ?? 10_000,
    runtime: options.runtime ?? (process.env.BENCH_RUNTIME === 'tsx' ? 'tsx' : 'dist'),
  };
  if (settings.runtime === 'dist') ensureBuild();
  // The servers read it when they start (slack-server.ts); `pipeline-tsx` always runs the sources.
  process.env.BENCH_RUNTIME = settings.runtime;
  const modes: Mode[] = ['bolt', 'adapter', 'pipeline', 'pipeline-send'];
  if (settings.runtime === 'dist') modes.push('pipeline-tsx');
  const servers = {} as Record<Mode, Child>;
  for (const mode of modes) servers[mode] = await startServer(mode);
  const sources = Object.fromEntries(modes.map((m) => [m, eventSource(settings.users)])) as Record<
    Mode,
    ReturnType<typeof eventSource>
  >;
  try {
    // Warm-up: JIT, connections, and one event per person (caches fill as in a running workspace).
    for (const mode of modes)
      await load(servers[mode].port, PATH, sources[mode], { connections: 20, amount: settings.users });
    // One round at a time, alternating the servers, so each round's ratio compares servers measured side by side.
    const rounds: Record<Mode, RoundStats>[] = [];
    for (let round = 0; round < settings.rounds; round += 1) {
      rounds.push(
        await measureRounds(servers, modes, PATH, sources, {
          rounds: 1,
          connections: settings.connections,
          seconds: settings.seconds,
        }),
      );
    }
    const cpuPerEvent = (stats: RoundStats) => stats.cpu / Math.max(1, stats.ok);
    const pacedRuns = {} as Record<Mode, ServerRun['paced']>;
    for (const mode of modes) {
      await sleep(1_000);
      await servers[mode].cpu(); // resets the loop-delay histogram
      pacedRuns[mode] = await paced(servers[mode].port, PATH, sources[mode], settings.pacedRate, settings.pacedSeconds);
      const loop = await servers[mode].cpu();
      pacedRuns[mode] = {
        ...pacedRuns[mode],
        loopDelayP99Ms: Number((loop.loopP99Ms ?? 0).toFixed(1)),
        loopDelayMaxMs: Number((loop.loopMaxMs ?? 0).toFixed(1)),
      };
    }
    const summary = async (mode: Mode): Promise<ServerRun> => {
      const of = rounds.map((r) => r[mode]);
      const rps = of.flatMap((r) => r.rps);
      const cpu = of.map((r) => Math.round(cpuPerEvent(r)));
      return {
        eventsPerSecond: median(rps),
        roundsEventsPerSecond: rps,
        cpuMicrosPerEvent: median(cpu),
        roundsCpuMicrosPerEvent: cpu,
        non2xx: of.reduce((n, r) => n + r.non2xx, 0),
        errors: of.reduce((n, r) => n + r.errors, 0),
        paced: pacedRuns[mode],
        rssMb: Math.round((await servers[mode].cpu()).rss / 1_048_576),
      };
    };
    const round2 = (x: number) => Number(x.toFixed(2));
    const cpuRatios = (mode: Mode) => rounds.map((r) => round2(cpuPerEvent(r[mode]) / cpuPerEvent(r.bolt)));
    const pipeline = await summary('pipeline');
    const pipelineSend = await summary('pipeline-send');
    const adapter = await summary('adapter');
    const bolt = await summary('bolt');
    const pipelineTsx = modes.includes('pipeline-tsx') ? await summary('pipeline-tsx') : undefined;
    return {
      bench: 'slack',
      pipeline,
      pipelineSend,
      adapter,
      bolt,
      ...(pipelineTsx ? { pipelineTsx, cpuRatioTsx: median(cpuRatios('pipeline-tsx')) } : {}),
      ratio: round2(pipeline.eventsPerSecond / bolt.eventsPerSecond),
      ratioWithSend: round2(pipelineSend.eventsPerSecond / bolt.eventsPerSecond),
      cpuRatio: median(cpuRatios('pipeline')),
      roundsCpuRatio: cpuRatios('pipeline'),
      cpuRatioWithSend: median(cpuRatios('pipeline-send')),
      settings,
    };
  } finally {
    await Promise.all(modes.map((mode) => servers[mode]?.stop()));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runSlackBench(), null, 2));
}
