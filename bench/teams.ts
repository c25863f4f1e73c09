/**
 * Teams activities through the whole pipeline (shared server, shape check, teams-ai turn, dedupe claim, dialog
 * start, SQLite write, Adaptive Card, reply through our Bot Connector client) against a bare botbuilder echo bot
 * that replies through the same local connector stand-in with botbuilder's own connector client. Servers and
 * stand-in run in child processes of the same run; the load comes from this process.
 *   npx tsx bench/teams.ts            (BENCH_QUICK=1 for a short run; BENCH_SKIP_STARTUP=1 to skip start-up)
 * The aim is server CPU per activity: each round loads every server in turn (so drift in the machine's speed hits
 * them alike) and reads its CPU; a server's figure is the median over the rounds (at least 5), and the ratio is
 * pipeline ÷ bare botbuilder (aim ≤ 1.25). Also reported: activities/s (autocannon, 50 connections) and p50/p99
 * at a steady 500/s from a paced generator.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { load, median, paced, sleep, startChild, type Child, type PacedResult, type RequestSource } from './load.js';
import { runStartupBench, type StartupResult } from './teams-startup.js';

export { runStartupBench, type StartupResult } from './teams-startup.js';

const PATH = '/api/messages';
type Mode = 'pipeline' | 'adapter' | 'bare';
const MODES: Mode[] = ['bare', 'adapter', 'pipeline'];

export interface TeamsBenchOptions {
  seconds?: number;
  rounds?: number;
  connections?: number;
  pacedRate?: number;
  pacedSeconds?: number;
  /** People the activities rotate over; each has a personal chat (default 10,000). */
  users?: number;
  /** Tenants they belong to (default 100), so Teams' per-tenant send limit does not cap a CPU benchmark. */
  tenants?: number;
}

interface ServerRun {
  activitiesPerSecond: number;
  roundsActivitiesPerSecond: number[];
  /** Median over the rounds of server CPU per activity, µs. */
  cpuMicrosPerActivity: number;
  roundsCpuMicrosPerActivity: number[];
  non2xx: number;
  errors: number;
  paced: PacedResult;
  rssMb: number;
}

export interface TeamsBenchResult {
  bench: 'teams';
  pipeline: ServerRun;
  /** The Teams adapter alone (echo sink, memory store): its own cost beside bare botbuilder. */
  adapter: ServerRun;
  bare: ServerRun;
  /** Pipeline CPU per activity ÷ bare botbuilder's, medians over the rounds (aim ≤ 1.25). */
  cpuRatio: number;
  /** The same ratio per round (pipeline and bare of the same round), and its median. */
  roundsCpuRatio: number[];
  medianRoundCpuRatio: number;
  /** Adapter-only CPU per activity ÷ bare botbuilder's. */
  adapterCpuRatio: number;
  /** pipeline activities/s ÷ bare botbuilder activities/s (informative: the loader shares the cores). */
  ratio: number;
  measuredAt: string;
  /** Start-up with tsx (as `npm start`) and from the build output (`npm run build`), when present. */
  startup?: { bundle?: StartupResult; tsx: StartupResult };
  settings: Required<TeamsBenchOptions>;
}

/** Personal-chat "checkin" messages, each with a fresh id, rotating over users and tenants. */
function activitySource(users: number, tenants: number, serviceUrl: string) {
  let n = 0;
  return () => {
    n += 1;
    const user = n % users;
    const tenant = `tenant-${user % tenants}`;
    const body = JSON.stringify({
      type: 'message',
      id: `act-${process.pid.toString(36)}-${n.toString(36)}`,
      channelId: 'msteams',
      serviceUrl,
      timestamp: new Date().toISOString(),
      text: 'checkin',
      textFormat: 'plain',
      locale: 'nl-NL',
      from: {
        id: `29:user-${user}`,
        name: 'Bench',
        aadObjectId: `00000000-0000-4000-8000-${String(user).padStart(12, '0')}`,
      },
      recipient: { id: '28:bench-bot', name: 'Bubbelbreker' },
      conversation: { id: `a:personal-${user}`, conversationType: 'personal', tenantId: tenant },
      channelData: { tenant: { id: tenant } },
      entities: [{ type: 'clientInfo', locale: 'nl-NL', country: 'NL', platform: 'Web', timezone: 'Europe/Amsterdam' }],
    });
    return { body, headers: { 'content-type': 'application/json' } };
  };
}

/** A bench server (or the connector stand-in) in its own process. BENCH_PROFILE=<dir> writes V8 CPU profiles there. */
const startServer = (mode: Mode | 'connector') =>
  startChild(
    fileURLToPath(new URL('./teams-server.ts', import.meta.url)),
    mode,
    process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [],
  );

interface CpuRounds {
  rps: number[];
  cpuPerActivity: number[];
  non2xx: number;
  errors: number;
}

/**
 * Throughput rounds, alternating between the servers. Each round reads the server's CPU before the load and one
 * second after it (work done after the answers counts too) and keeps CPU per answered activity for that round.
 */
async function cpuRounds(
  servers: Record<Mode, Child>,
  sources: Record<Mode, RequestSource>,
  settings: Required<TeamsBenchOptions>,
): Promise<Record<Mode, CpuRounds>> {
  const runs = Object.fromEntries(
    MODES.map((m) => [m, { rps: [], cpuPerActivity: [], non2xx: 0, errors: 0 }]),
  ) as unknown as Record<Mode, CpuRounds>;
  for (let round = 0; round < settings.rounds; round += 1) {
    for (const mode of MODES) {
      await sleep(1_000);
      const before = await servers[mode].cpu();
      const result = await load(servers[mode].port, PATH, sources[mode], {
        connections: settings.connections,
        seconds: settings.seconds,
        timeoutS: 15,
      });
      await sleep(1_000);
      const after = await servers[mode].cpu();
      const ok = Math.max(1, result['2xx']);
      runs[mode].rps.push(Math.round(result['2xx'] / result.duration));
      runs[mode].cpuPerActivity.push(Math.round((after.micros - before.micros) / ok));
      runs[mode].non2xx += result.non2xx;
      runs[mode].errors += result.errors + result.timeouts;
    }
  }
  return runs;
}

export async function runTeamsBench(options: TeamsBenchOptions = {}): Promise<TeamsBenchResult> {
  const quick = process.env.BENCH_QUICK === '1';
  const settings: Required<TeamsBenchOptions> = {
    seconds: options.seconds ?? (quick ? 3 : 6),
    rounds: Math.max(5, options.rounds ?? 5),
    connections: options.connections ?? 50,
    pacedRate: options.pacedRate ?? 500,
    pacedSeconds: options.pacedSeconds ?? (quick ? 4 : 10),
    users: options.users ?? 10_000,
    tenants: options.tenants ?? 100,
  };
  const connector = await startServer('connector');
  const serviceUrl = `http://127.0.0.1:${connector.port}/teams/`;
  const servers = {} as Record<Mode, Child>;
  const sources = {} as Record<Mode, ReturnType<typeof activitySource>>;
  for (const mode of MODES) {
    servers[mode] = await startServer(mode);
    sources[mode] = activitySource(settings.users, settings.tenants, serviceUrl);
  }
  try {
    for (const mode of MODES)
      await load(servers[mode].port, PATH, sources[mode], { connections: 20, amount: quick ? 2000 : 5000 });
    const runs = await cpuRounds(servers, sources, settings);
    const pacedRuns = {} as Record<Mode, ServerRun['paced']>;
    for (const mode of MODES) {
      await sleep(1_000);
      pacedRuns[mode] = await paced(servers[mode].port, PATH, sources[mode], settings.pacedRate, settings.pacedSeconds);
    }
    const summary = async (mode: Mode): Promise<ServerRun> => ({
      activitiesPerSecond: median(runs[mode].rps),
      roundsActivitiesPerSecond: runs[mode].rps,
      cpuMicrosPerActivity: median(runs[mode].cpuPerActivity),
      roundsCpuMicrosPerActivity: runs[mode].cpuPerActivity,
      non2xx: runs[mode].non2xx,
      errors: runs[mode].errors,
      paced: pacedRuns[mode],
      rssMb: Math.round((await servers[mode].cpu()).rss / 1_048_576),
    });
    const pipeline = await summary('pipeline');
    const adapter = await summary('adapter');
    const bare = await summary('bare');
    const two = (x: number) => Number(x.toFixed(2));
    const roundsCpuRatio = pipeline.roundsCpuMicrosPerActivity.map((cpu, i) =>
      two(cpu / (bare.roundsCpuMicrosPerActivity[i] ?? Number.NaN)),
    );
    return {
      bench: 'teams',
      pipeline,
      adapter,
      bare,
      cpuRatio: two(pipeline.cpuMicrosPerActivity / bare.cpuMicrosPerActivity),
      roundsCpuRatio,
      medianRoundCpuRatio: median(roundsCpuRatio),
      adapterCpuRatio: two(adapter.cpuMicrosPerActivity / bare.cpuMicrosPerActivity),
      ratio: two(pipeline.activitiesPerSecond / bare.activitiesPerSecond),
      measuredAt: new Date().toISOString(),
      settings,
    };
  } finally {
    await Promise.all([...MODES.map((mode) => servers[mode]?.stop()), connector.stop()]);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runTeamsBench();
  if (process.env.BENCH_SKIP_STARTUP !== '1') {
    result.startup = { tsx: await runStartupBench(5, 'tsx') };
    if (existsSync('dist/server/main.js')) result.startup.bundle = await runStartupBench(5, 'bundle');
  }
  console.log(JSON.stringify(result, null, 2));
}
