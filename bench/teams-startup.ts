/**
 * Start-up of the real server with Slack and Teams configured, against a bare @slack/bolt app started in the same
 * run: the server (`node dist/server/main.js`, the bundle `npm start` runs; the compiled files unbundled; or under tsx) is timed from spawn until GET
 * /readyz answers 200; the Bolt app (HTTPReceiver, one event listener, a custom /readyz route) from spawn until
 * its first 200. Runs alternate between the two, so drift in the machine's speed hits both alike; each figure is
 * the median of the runs (aim: the server ≤ 1.5 × bare Bolt). Also timed: the same server with Slack only (what
 * Teams adds), the first Teams answer (a 401 from our token check) and the moment botbuilder and teams-ai have
 * loaded in the background (their log line).
 * Used by bench/teams.ts and bench/run.ts; `npx tsx bench/teams-startup.ts [runs]` runs it alone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchEnv } from './bench-env.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface StartupResult {
  /** Median ms from spawning the server until GET /readyz answers 200. */
  readyMs: number;
  /** Median ms from spawning a bare Bolt app until its first 200, in the same run. */
  boltReadyMs: number;
  /** readyMs ÷ boltReadyMs (aim ≤ 1.5 for the build output). */
  ratio: number;
  /** Median ms to /readyz of the same server with Slack only: what Teams adds is readyMs minus this. */
  slackOnlyReadyMs: number;
  /** Median CPU ms used until ready (Linux only): the server, bare Bolt, their ratio, and the Slack-only server. */
  cpu?: { readyMs: number; boltReadyMs: number; ratio: number; slackOnlyReadyMs: number };
  /** Median ms until a Teams request is answered by our token check (401: no token). */
  teamsAnswerMs: number;
  /** Median ms until botbuilder and teams-ai have loaded (in the background, after start). */
  teamsSdkMs: number;
  runsReadyMs: number[];
  runsBoltReadyMs: number[];
  runsSlackOnlyReadyMs: number[];
  runsTeamsSdkMs: number[];
  command: string;
  baseline: string;
  measuredAt: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The baseline: a bare Bolt app on its HTTPReceiver, as small as a Slack app gets, run as plain JavaScript. */
const BARE_BOLT = `
import bolt from '@slack/bolt';
const receiver = new bolt.HTTPReceiver({
  signingSecret: 'bench-signing-secret-0123456789abcdef',
  customRoutes: [{ path: '/readyz', method: ['GET'], handler: (_req, res) => { res.writeHead(200); res.end('ok'); } }],
});
const app = new bolt.App({ token: 'xoxb-bench', receiver, tokenVerificationEnabled: false });
app.event('message', async () => {});
await app.start({ port: Number(process.env.PORT), host: '127.0.0.1' });
`;

async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  const exited = new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * CPU time (user + system, ms) a child has used so far, from /proc (Linux; 100 clock ticks a second there).
 * Less sensitive to other load on the machine than wall time; undefined elsewhere.
 */
function cpuMsOf(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** Poll GET /readyz every 5 ms until it answers 200; ms since `t0`, and the child's CPU ms by then. */
async function untilReady(
  child: ChildProcess,
  port: number,
  t0: number,
  what: string,
): Promise<{ wallMs: number; cpuMs?: number }> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return { wallMs: Math.round(performance.now() - t0), cpuMs: cpuMsOf(child.pid) };
    if (performance.now() - t0 > 30_000) throw new Error(`${what} not ready within 30 s`);
    await sleep(5);
  }
}

async function bareBolt(): Promise<{ wallMs: number; cpuMs?: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', BARE_BOLT], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    return await untilReady(child, port, t0, 'bare Bolt');
  } finally {
    await stop(child);
  }
}

async function server(
  args: string[],
  withTeams = true,
): Promise<{ readyMs: number; cpuMs?: number; teamsAnswerMs: number; teamsSdkMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bb-bench-start-'));
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    ...benchEnv(join(dir, 'bb.sqlite')),
    PORT: String(port),
    HOST: '127.0.0.1',
    ...(withTeams
      ? { MICROSOFT_APP_ID: '00000000-0000-4000-8000-0000000000bb', MICROSOFT_APP_PASSWORD: 'bench-not-a-secret' }
      : {}),
  };
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  // The SDK loads in the background after start; its log line says when it is done.
  let sdkAt: number | undefined;
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    if (sdkAt === undefined && lines.some((line) => line.includes('"msg":"teams sdk loaded"')))
      sdkAt = performance.now() - t0;
  });
  try {
    const { wallMs: readyMs, cpuMs } = await untilReady(child, port, t0, 'the server');
    if (!withTeams) return { readyMs, cpuMs, teamsAnswerMs: 0, teamsSdkMs: 0 };
    // Unauthenticated on purpose: the answer (401) comes from our token check.
    const status = await fetch(`http://127.0.0.1:${port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: 'startup-1',
        channelId: 'msteams',
        serviceUrl: 'https://smba.example.test/',
        text: 'help',
        from: { id: '29:user' },
        recipient: { id: '28:bot' },
        conversation: { id: 'a:personal', conversationType: 'personal' },
      }),
    }).then((r) => r.status);
    if (status !== 401) throw new Error(`expected 401 from the token check, got ${status}`);
    const teamsAnswerMs = Math.round(performance.now() - t0);
    while (sdkAt === undefined) {
      if (performance.now() - t0 > 30_000) throw new Error('the Teams SDK did not load within 30 s');
      await sleep(5);
    }
    return { readyMs, cpuMs, teamsAnswerMs, teamsSdkMs: Math.round(sdkAt) };
  } finally {
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** How the server is started: the bundle `npm start` runs, the compiled files one by one, or the sources. */
export type StartupRuntime = 'bundle' | 'dist' | 'tsx';

const ENTRY: Record<StartupRuntime, string[]> = {
  bundle: ['dist/server/main.js'],
  dist: ['dist/src/main.js'],
  tsx: ['--import', 'tsx', 'src/main.ts'],
};

/**
 * Start the server with Slack and Teams (with an app id) configured, alternating with a bare Bolt app; medians of
 * `runs` each. `bundle` runs what `npm start` runs (scripts/bundle.mjs), `dist` the compiled files unbundled,
 * `tsx` the TypeScript sources.
 */
export async function runStartupBench(runs = 5, runtime: StartupRuntime = 'bundle'): Promise<StartupResult> {
  const args = ENTRY[runtime];
  if (runtime !== 'tsx' && !existsSync(args[0]!)) throw new Error(`${args[0]} is missing: run \`npm run build\` first`);
  const ready: number[] = [];
  const answer: number[] = [];
  const sdk: number[] = [];
  const bolt: number[] = [];
  const slackOnly: number[] = [];
  const cpu = { ready: [] as number[], bolt: [] as number[], slackOnly: [] as number[] };
  // One of each first, unmeasured: the file system cache warms up for all alike.
  await bareBolt();
  await server(args);
  for (let i = 0; i < Math.max(5, runs); i++) {
    const base = await bareBolt();
    bolt.push(base.wallMs);
    const run = await server(args);
    ready.push(run.readyMs);
    answer.push(run.teamsAnswerMs);
    sdk.push(run.teamsSdkMs);
    const slack = await server(args, false);
    slackOnly.push(slack.readyMs);
    if (base.cpuMs !== undefined && run.cpuMs !== undefined && slack.cpuMs !== undefined) {
      cpu.bolt.push(base.cpuMs);
      cpu.ready.push(run.cpuMs);
      cpu.slackOnly.push(slack.cpuMs);
    }
  }
  return {
    readyMs: median(ready),
    boltReadyMs: median(bolt),
    ratio: Number((median(ready) / median(bolt)).toFixed(2)),
    slackOnlyReadyMs: median(slackOnly),
    ...(cpu.ready.length > 0
      ? {
          cpu: {
            readyMs: median(cpu.ready),
            boltReadyMs: median(cpu.bolt),
            ratio: Number((median(cpu.ready) / median(cpu.bolt)).toFixed(2)),
            slackOnlyReadyMs: median(cpu.slackOnly),
          },
        }
      : {}),
    teamsAnswerMs: median(answer),
    teamsSdkMs: median(sdk),
    runsReadyMs: ready,
    runsBoltReadyMs: bolt,
    runsSlackOnlyReadyMs: slackOnly,
    runsTeamsSdkMs: sdk,
    command: `node ${args.join(' ')} (Slack + Teams configured)`,
    baseline: 'node -e <bare @slack/bolt App on HTTPReceiver with a /readyz route>',
    measuredAt: new Date().toISOString(),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const runs = Number(process.argv[2] ?? 5);
  const result: Record<string, StartupResult | string> = {};
  for (const runtime of ['bundle', 'dist', 'tsx'] as const) {
    result[runtime] =
      runtime === 'tsx' || existsSync(ENTRY[runtime][0]!)
        ? await runStartupBench(runs, runtime)
        : 'skipped: run `npm run build` first';
  }
  console.log(JSON.stringify(result, null, 2));
}
