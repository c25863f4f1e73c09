/**
 * Signed Slack events through the whole pipeline (shared server, signature check, dedupe claim,
 * dialog step, SQLite state write) against a bare @slack/bolt App on its HTTPReceiver that only acknowledges
 * the same events; and once more with every answer sent as Block Kit through WebClient to a local Web API stub.
 * All servers run in child processes of the same run, so their CPU is measured alone; the load comes from here.
 *   npx tsx bench/slack.ts            (BENCH_QUICK=1 for a short run)
 * Reports events/s (autocannon, 50 connections), the ratio, server CPU per event, and ack latency at a steady
 * 500 events/s from a paced generator (autocannon's -R sends bursts; perf-anchors.md).
 */
import { createHmac } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { load, measureRounds, median, paced, sleep, startChild, type Child, type PacedResult } from './load.js';

const SECRET = 'bench-signing-secret-0123456789abcdef';
const PATH = '/slack/events';

export interface SlackBenchOptions {
  /** Seconds of each throughput round (default 8). */
  seconds?: number;
  /** Throughput rounds per server, alternating (default 2). */
  rounds?: number;
  connections?: number;
  /** Paced phase: events per second and seconds (default 500 for 10 s). */
  pacedRate?: number;
  pacedSeconds?: number;
  /** People the events rotate over (default 10,000: each sees an event about every 2 s, under Slack's 1 post/s/channel). */
  users?: number;
}

interface ServerRun {
  eventsPerSecond: number;
  roundsEventsPerSecond: number[];
  cpuMicrosPerEvent: number;
  non2xx: number;
  errors: number;
  paced: PacedResult & { loopDelayP99Ms?: number; loopDelayMaxMs?: number };
  rssMb: number;
}

type Mode = 'bolt' | 'adapter' | 'pipeline' | 'pipeline-send';
const MODES: Mode[] = ['bolt', 'adapter', 'pipeline', 'pipeline-send'];

export interface SlackBenchResult {
  bench: 'slack';
  /** Verify, claim, dialog step, state write (the issue's pipeline); the bot's answers recorded, not sent. */
  pipeline: ServerRun;
  /** The same plus every answer sent as Block Kit through WebClient to a local Web API stub. */
  pipelineSend: ServerRun;
  /** The Slack transport alone (server, signature, parse, ack, dispatch) with a sink that does nothing. */
  adapter: ServerRun;
  bolt: ServerRun;
  /** pipeline events/s ÷ bare Bolt events/s (aim ≥ 0.8). */
  ratio: number;
  ratioWithSend: number;
  /** CPU per event ÷ bare Bolt's. */
  cpuRatio: number;
  cpuRatioWithSend: number;
  settings: Required<SlackBenchOptions>;
}

/** Signed message.im events, each with a fresh event_id, rotating over `users` people. */
function eventSource(users: number) {
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
    const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
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

export async function runSlackBench(options: SlackBenchOptions = {}): Promise<SlackBenchResult> {
  const quick = process.env.BENCH_QUICK === '1';
  const settings: Required<SlackBenchOptions> = {
    seconds: options.seconds ?? (quick ? 3 : 8),
    rounds: options.rounds ?? (quick ? 1 : 2),
    connections: options.connections ?? 50,
    pacedRate: options.pacedRate ?? 500,
    pacedSeconds: options.pacedSeconds ?? (quick ? 4 : 10),
    users: options.users ?? 10_000,
  };
  const servers = {} as Record<Mode, Child>;
  for (const mode of MODES) servers[mode] = await startServer(mode);
  const sources = Object.fromEntries(MODES.map((m) => [m, eventSource(settings.users)])) as Record<
    Mode,
    ReturnType<typeof eventSource>
  >;
  try {
    // Warm-up: JIT, connections, and one event per person (caches fill as in a running workspace).
    for (const mode of MODES)
      await load(servers[mode].port, PATH, sources[mode], { connections: 20, amount: settings.users });
    const runs = await measureRounds(servers, MODES, PATH, sources, {
      rounds: settings.rounds,
      connections: settings.connections,
      seconds: settings.seconds,
    });
    const pacedRuns = {} as Record<Mode, ServerRun['paced']>;
    for (const mode of MODES) {
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
    const summary = async (mode: Mode): Promise<ServerRun> => ({
      eventsPerSecond: median(runs[mode].rps),
      roundsEventsPerSecond: runs[mode].rps,
      cpuMicrosPerEvent: Math.round(runs[mode].cpu / Math.max(1, runs[mode].ok)),
      non2xx: runs[mode].non2xx,
      errors: runs[mode].errors,
      paced: pacedRuns[mode],
      rssMb: Math.round((await servers[mode].cpu()).rss / 1_048_576),
    });
    const pipeline = await summary('pipeline');
    const pipelineSend = await summary('pipeline-send');
    const adapter = await summary('adapter');
    const bolt = await summary('bolt');
    const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
    return {
      bench: 'slack',
      pipeline,
      pipelineSend,
      adapter,
      bolt,
      ratio: ratio(pipeline.eventsPerSecond, bolt.eventsPerSecond),
      ratioWithSend: ratio(pipelineSend.eventsPerSecond, bolt.eventsPerSecond),
      cpuRatio: ratio(pipeline.cpuMicrosPerEvent, bolt.cpuMicrosPerEvent),
      cpuRatioWithSend: ratio(pipelineSend.cpuMicrosPerEvent, bolt.cpuMicrosPerEvent),
      settings,
    };
  } finally {
    await Promise.all(MODES.map((mode) => servers[mode]?.stop()));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runSlackBench(), null, 2));
}
