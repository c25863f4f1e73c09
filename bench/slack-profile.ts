/**
 * Where the Slack pipeline's CPU goes: bare Bolt and the pipeline in their own processes, warmed up as in
 * bench/slack.ts, then alternating load rounds with CPU per event for both, and a V8 CPU profile of the pipeline
 * during its rounds only (not start-up or warm-up).
 *   npx tsx bench/slack-profile.ts [dir]   (default bench/results/profiles; ROUNDS=5 SECONDS=8 MODE=pipeline PROFILE=0)
 * Read a profile in Chrome DevTools (Performance → Load profile) or with any .cpuprofile viewer.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, median, sleep } from './load.js';
import { eventSource } from './slack.js';

const dir = process.argv[2] ?? 'bench/results/profiles';
const rounds = Number(process.env.ROUNDS ?? 5);
const seconds = Number(process.env.SECONDS ?? 8);
const profiled = process.env.MODE ?? 'pipeline';
/** PROFILE=0: only the CPU figures (the profiler itself costs CPU). */
const profiling = process.env.PROFILE !== '0';
const users = 10_000;
const PATH = '/slack/events';
mkdirSync(dir, { recursive: true });

interface Server {
  child: ChildProcess;
  port: number;
}

function ask<T>(child: ChildProcess, message: object, answer: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (m: { type: string }) => {
      if (m.type !== answer) return;
      child.off('message', onMessage);
      resolve(m as T);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

async function start(mode: string): Promise<Server> {
  const child = fork(fileURLToPath(new URL('./slack-server.ts', import.meta.url)), [mode], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) =>
    child.on('message', (m: { type: string; port?: number }) => m.type === 'ready' && resolve(m.port!)),
  );
  return { child, port };
}

const cpuOf = async (s: Server) => {
  const m = await ask<{ usage: NodeJS.CpuUsage }>(s.child, { type: 'cpu' }, 'cpu');
  return m.usage.user + m.usage.system;
};

const modes = ['bolt', profiled];
const servers = Object.fromEntries(await Promise.all(modes.map(async (m) => [m, await start(m)] as const)));
const sources = Object.fromEntries(modes.map((m) => [m, eventSource(users)]));
for (const m of modes) await load(servers[m]!.port, PATH, sources[m]!, { connections: 20, amount: users });
if (profiling) servers[profiled]!.child.send({ type: 'profile-start' });
const perEvent: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, []]));
for (let round = 0; round < rounds; round += 1) {
  for (const m of modes) {
    await sleep(1_000);
    const before = await cpuOf(servers[m]!);
    const result = await load(servers[m]!.port, PATH, sources[m]!, { connections: 50, seconds });
    await sleep(1_000);
    perEvent[m]!.push(Math.round((await cpuOf(servers[m]!)) - before) / Math.max(1, result['2xx']));
  }
}
const file = join(dir, `slack-${profiled}-${Date.now()}.cpuprofile`);
if (profiling) await ask(servers[profiled]!.child, { type: 'profile-stop', file }, 'profiled');
const summary = Object.fromEntries(modes.map((m) => [m, perEvent[m]!.map((x) => Math.round(x))]));
const ratios = perEvent[profiled]!.map((x, i) => Number((x / perEvent.bolt![i]!).toFixed(2)));
console.log(JSON.stringify({ cpuMicrosPerEvent: summary, ratios, medianRatio: median(ratios), profile: file }));
for (const s of Object.values(servers)) s.child.send({ type: 'stop' });
