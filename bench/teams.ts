/**
 * Teams activities through the whole pipeline (shared server, body check, botbuilder + teams-ai turn, dedupe
 * claim, dialog start, SQLite write, Adaptive Card, reply through the Bot Connector) against a bare botbuilder
 * echo bot that replies through the same local connector stand-in (perf-anchors.md "D2"). Servers and stand-in
 * run in child processes of the same run; the load comes from this process.
 *   npx tsx bench/teams.ts            (BENCH_QUICK=1 for a short run; BENCH_SKIP_STARTUP=1 to skip start-up)
 * Reports activities/s (autocannon, 50 connections), the ratio, CPU per activity, p50/p99 at a steady 500/s from a
 * paced generator, and the start-up time of `src/main.ts` with Slack and Teams configured until /readyz is 200.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
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
  paced: { rate: number; sent: number; p50Ms: number; p99Ms: number; p999Ms: number; maxMs: number; errors: number };
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
      from: { id: `29:user-${user}`, name: 'Bench', aadObjectId: `00000000-0000-4000-8000-${String(user).padStart(12, '0')}` },
      recipient: { id: '28:bench-bot', name: 'Bubbelbreker' },
      conversation: { id: `a:personal-${user}`, conversationType: 'personal', tenantId: tenant },
      channelData: { tenant: { id: tenant } },
      entities: [{ type: 'clientInfo', locale: 'nl-NL', country: 'NL', platform: 'Web', timezone: 'Europe/Amsterdam' }],
    });
    return { body, headers: { 'content-type': 'application/json' } };
  };
}

interface Child {
  port: number;
  cpu(): Promise<{ micros: number; rss: number }>;
  stop(): Promise<void>;
}

async function startChild(mode: Mode | 'connector'): Promise<Child> {
  const script = fileURLToPath(new URL('./teams-server.ts', import.meta.url));
  const child: ChildProcess = fork(script, [mode], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${mode} exited with ${code}`)));
    child.on('message', (m: { type: string; port?: number }) => m.type === 'ready' && resolve(m.port!));
  });
  return {
    port,
    cpu: () =>
      new Promise((resolve) => {
        const onMessage = (m: { type: string; usage?: NodeJS.CpuUsage; rss?: number }) => {
          if (m.type !== 'cpu') return;
          child.off('message', onMessage);
          resolve({ micros: m.usage!.user + m.usage!.system, rss: m.rss! });
        };
        child.on('message', onMessage);
        child.send({ type: 'cpu' });
      }),
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function load(port: number, path: string, next: ReturnType<typeof activitySource>, options: { connections: number; seconds?: number; amount?: number }) {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: options.connections,
    ...(options.seconds !== undefined ? { duration: options.seconds } : {}),
    ...(options.amount !== undefined ? { amount: options.amount } : {}),
    timeout: 15,
    requests: [{ method: 'POST', path, setupRequest: (req) => ({ ...req, ...next() }) }],
  });
}

/** Requests evenly spaced at `rate` per second over a keep-alive agent; latency until the response ends. */
async function paced(port: number, path: string, next: ReturnType<typeof activitySource>, rate: number, seconds: number): Promise<ServerRun['paced']> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = rate * seconds;
  const interval = 1000 / rate;
  const latencies: number[] = [];
  let errors = 0;
  let done = 0;
  const start = performance.now() + 20;
  const fire = () => {
    const activity = next();
    const t0 = performance.now();
    const req = request({ agent, host: '127.0.0.1', port, method: 'POST', path, headers: { ...activity.headers, 'content-length': Buffer.byteLength(activity.body) } }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) latencies.push(performance.now() - t0);
        else errors += 1;
        done += 1;
      });
    });
    req.on('error', () => {
      errors += 1;
      done += 1;
    });
    req.end(activity.body);
  };
  for (let i = 0; i < total; ) {
    const now = performance.now();
    while (i < total && start + i * interval <= now) {
      fire();
      i += 1;
    }
    await sleep(Math.max(0, start + i * interval - performance.now()));
  }
  while (done < total) await sleep(5);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number((latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * q) - 1)] ?? Number.NaN).toFixed(2));
  return { rate, sent: total, p50Ms: at(0.5), p99Ms: at(0.99), p999Ms: at(0.999), maxMs: at(1), errors };
}

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
  const connector = await startChild('connector');
  const serviceUrl = `http://127.0.0.1:${connector.port}/`;
  const servers = {} as Record<Mode, Child>;
  const sources = {} as Record<Mode, ReturnType<typeof activitySource>>;
  const runs = {} as Record<Mode, { rps: number[]; cpu: number; ok: number; non2xx: number; errors: number }>;
  for (const mode of MODES) {
    servers[mode] = await startChild(mode);
    sources[mode] = activitySource(settings.users, settings.tenants, serviceUrl);
    runs[mode] = { rps: [], cpu: 0, ok: 0, non2xx: 0, errors: 0 };
  }
  try {
    for (const mode of MODES) await load(servers[mode].port, PATH, sources[mode], { connections: 20, amount: quick ? 2000 : 5000 });
    for (let round = 0; round < settings.rounds; round += 1) {
      for (const mode of MODES) {
        await sleep(1_000);
        const before = await servers[mode].cpu();
        const result = await load(servers[mode].port, PATH, sources[mode], { connections: settings.connections, seconds: settings.seconds });
        await sleep(1_000);
        const after = await servers[mode].cpu();
        const ok = result['2xx'];
        runs[mode].rps.push(Math.round(ok / result.duration));
        runs[mode].cpu += after.micros - before.micros;
        runs[mode].ok += ok;
        runs[mode].non2xx += result.non2xx;
        runs[mode].errors += result.errors + result.timeouts;
      }
    }
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
