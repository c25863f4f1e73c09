/**
 * Teams activities through the whole pipeline (shared server, body check, botbuilder + teams-ai turn, dedupe
 * claim, dialog start, SQLite write, Adaptive Card, reply through the Bot Connector) against a bare botbuilder
 * echo bot that replies through the same local connector stand-in (perf-anchors.md "D2"). Servers and stand-in
 * run in child processes of the same run; the load comes from this process.
 *   npx tsx bench/teams.ts            (BENCH_QUICK=1 for a short run; BENCH_SKIP_STARTUP=1 to skip start-up)
 * Reports activities/s (autocannon, 50 connections), the ratio, CPU per activity, p50/p99 at a steady 500/s from a
 * paced generator, and the start-up time of `src/main.ts` with Slack and Teams configured until /readyz is 200.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { load, measureRounds, median, paced, sleep, startChild, type Child, type PacedResult } from './load.js';
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
  cpuMicrosPerActivity: number;
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
  /** pipeline activities/s ÷ bare botbuilder activities/s (aim ≥ 0.8). */
  ratio: number;
  cpuRatio: number;
  /** adapter-only activities/s ÷ bare botbuilder activities/s. */
  adapterRatio: number;
  /** Start-up with tsx (as `npm start`) and from the build output (`npm run build`), when present. */
  startup?: { tsx: StartupResult; dist?: StartupResult };
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

export async function runTeamsBench(options: TeamsBenchOptions = {}): Promise<TeamsBenchResult> {
  const quick = process.env.BENCH_QUICK === '1';
  const settings: Required<TeamsBenchOptions> = {
    seconds: options.seconds ?? (quick ? 3 : 8),
    rounds: options.rounds ?? (quick ? 1 : 2),
    connections: options.connections ?? 50,
    pacedRate: options.pacedRate ?? 500,
    pacedSeconds: options.pacedSeconds ?? (quick ? 4 : 10),
    users: options.users ?? 10_000,
    tenants: options.tenants ?? 100,
  };
  const connector = await startServer('connector');
  const serviceUrl = `http://127.0.0.1:${connector.port}/`;
  const servers = {} as Record<Mode, Child>;
  const sources = {} as Record<Mode, ReturnType<typeof activitySource>>;
  for (const mode of MODES) {
    servers[mode] = await startServer(mode);
    sources[mode] = activitySource(settings.users, settings.tenants, serviceUrl);
  }
  try {
    for (const mode of MODES)
      await load(servers[mode].port, PATH, sources[mode], { connections: 20, amount: quick ? 2000 : 5000 });
    const runs = await measureRounds(servers, MODES, PATH, sources, {
      rounds: settings.rounds,
      connections: settings.connections,
      seconds: settings.seconds,
      timeoutS: 15,
    });
    const pacedRuns = {} as Record<Mode, ServerRun['paced']>;
    for (const mode of MODES) {
      await sleep(1_000);
      pacedRuns[mode] = await paced(servers[mode].port, PATH, sources[mode], settings.pacedRate, settings.pacedSeconds);
    }
    const summary = async (mode: Mode): Promise<ServerRun> => ({
      activitiesPerSecond: median(runs[mode].rps),
      roundsActivitiesPerSecond: runs[mode].rps,
      cpuMicrosPerActivity: Math.round(runs[mode].cpu / Math.max(1, runs[mode].ok)),
      non2xx: runs[mode].non2xx,
      errors: runs[mode].errors,
      paced: pacedRuns[mode],
      rssMb: Math.round((await servers[mode].cpu()).rss / 1_048_576),
    });
    const pipeline = await summary('pipeline');
    const adapter = await summary('adapter');
    const bare = await summary('bare');
    return {
      bench: 'teams',
      pipeline,
      adapter,
      bare,
      ratio: Number((pipeline.activitiesPerSecond / bare.activitiesPerSecond).toFixed(2)),
      cpuRatio: Number((pipeline.cpuMicrosPerActivity / bare.cpuMicrosPerActivity).toFixed(2)),
      adapterRatio: Number((adapter.activitiesPerSecond / bare.activitiesPerSecond).toFixed(2)),
      settings,
    };
  } finally {
    await Promise.all([...MODES.map((mode) => servers[mode]?.stop()), connector.stop()]);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runTeamsBench();
  if (process.env.BENCH_SKIP_STARTUP !== '1') {
    const runs = process.env.BENCH_QUICK === '1' ? 3 : 5;
    result.startup = { tsx: await runStartupBench(runs, 'tsx') };
    if (existsSync('dist/src/main.js')) result.startup.dist = await runStartupBench(runs, 'dist');
  }
  console.log(JSON.stringify(result, null, 2));
}
