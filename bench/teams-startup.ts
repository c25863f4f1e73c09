/**
 * Start-up time of the real server with Slack and Teams configured: spawn `node --import tsx src/main.ts` and
 * time it until GET /readyz answers 200, then until a Teams request is answered by botbuilder (the SDK loads in
 * the background after start). Used by bench/teams.ts; `npx tsx bench/teams-startup.ts` runs it alone.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface StartupResult {
  /** Median ms from spawning `node --import tsx src/main.ts` until GET /readyz answers 200. */
  readyMs: number;
  /** Median ms until a Teams request is answered by botbuilder (the SDK loads after start, in the background). */
  teamsSdkMs: number;
  runsReadyMs: number[];
  runsTeamsSdkMs: number[];
  command: string;
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

/**
 * Start the real server with Slack and Teams (with an app id) configured and time it; median of `runs`.
 * `tsx` runs the TypeScript sources as `npm start` does; `dist` runs the output of `npm run build`.
 */
export async function runStartupBench(runs = 5, runtime: 'tsx' | 'dist' = 'tsx'): Promise<StartupResult> {
  const args = runtime === 'tsx' ? ['--import', 'tsx', 'src/main.ts'] : ['dist/src/main.js'];
  if (runtime === 'dist' && !existsSync('dist/src/main.js'))
    throw new Error('dist/src/main.js is missing: run `npm run build` first');
  const ready: number[] = [];
  const sdk: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'bb-bench-start-'));
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_PATH: join(dir, 'bb.sqlite'),
      PSEUDONYM_KEY: 'bench-pseudonym-key-0123456789abcdef0123456789',
      DATA_KEY: 'b'.repeat(64),
      SLACK_SIGNING_SECRET: 'bench-signing-secret-0123456789abcdef',
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_API_URL: 'http://127.0.0.1:59999/api/',
      MICROSOFT_APP_ID: '00000000-0000-4000-8000-0000000000bb',
      MICROSOFT_APP_PASSWORD: 'bench-not-a-secret',
    };
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    try {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`src/main.ts exited with ${child.exitCode}`);
        const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) break;
        if (performance.now() - t0 > 30_000) throw new Error('not ready within 30 s');
        await sleep(5);
      }
      ready.push(Math.round(performance.now() - t0));
      // Unauthenticated on purpose: the answer (401) comes from botbuilder, so it marks the SDK as loaded.
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
      sdk.push(Math.round(performance.now() - t0));
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return {
    readyMs: median(ready),
    teamsSdkMs: median(sdk),
    runsReadyMs: ready,
    runsTeamsSdkMs: sdk,
    command: `node ${args.join(' ')} (Slack + Teams configured)`,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const runs = Number(process.argv[2] ?? 5);
  const result: Record<string, StartupResult | string> = { tsx: await runStartupBench(runs, 'tsx') };
  result.dist = existsSync('dist/src/main.js')
    ? await runStartupBench(runs, 'dist')
    : 'skipped: run `npm run build` first';
  console.log(JSON.stringify(result, null, 2));
}
