/**
 * Starts the Microsoft 365 Agents Playground (a Teams look-alike that runs offline) next to a local bot, for
 * `npm run dev` and the end-to-end tests. The playground is Microsoft's pre-release tool under its own licence:
 * it is a devDependency installed from npm, never copied into this repository, and it always runs with telemetry
 * off. It gets a minimal environment of its own, so none of our secrets reach it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PlaygroundOptions {
  /** The bot's endpoint, e.g. http://127.0.0.1:3978/api/messages. */
  botEndpoint: string;
  /** Preferred port (the playground takes a random one when it is busy). Default 56150. */
  port?: number;
  /** Folder with .m365agentsplayground.yml; default the repository root. */
  cwd?: string;
  /** Log file; default devTools/m365agentsplayground.log under `cwd`. */
  logFile?: string;
  /** How long to wait for it to answer /_debug/ping. Default 30 s. */
  startTimeoutMs?: number;
}

export interface Playground {
  /** Where to open it: http://localhost:<port>. */
  url: string;
  port: number;
  logFile: string;
  process: ChildProcess;
  /** The playground's own log, for diagnosing a failed run. */
  readLog(): string;
  stop(): Promise<void>;
}

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Path of the playground's CLI, or undefined when the devDependency is not installed. */
export function playgroundCli(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('@microsoft/m365agentsplayground/package.json');
    const cli = join(dirname(pkg), 'cli.js');
    return existsSync(cli) ? cli : undefined;
  } catch {
    return undefined;
  }
}

/** Start the playground and wait until it answers. Rejects (after stopping it) when it does not come up. */
export async function startPlayground(options: PlaygroundOptions): Promise<Playground> {
  const cli = playgroundCli();
  if (!cli)
    throw new Error(
      'The Microsoft 365 Agents Playground is not installed: run `npm install` (it is a devDependency), or try `npm run chat`.',
    );
  const cwd = options.cwd ?? REPO_ROOT;
  const logFile = options.logFile ?? join(cwd, 'devTools', 'm365agentsplayground.log');
  mkdirSync(dirname(logFile), { recursive: true });
  const args = [
    cli,
    '--app-endpoint',
    options.botEndpoint,
    '--channel-id',
    'msteams',
    '--port',
    String(options.port ?? 56150),
    '--disable-telemetry',
  ];
  const child = spawn(process.execPath, args, {
    cwd,
    // A fresh environment: no tokens or passwords of ours, no browser, no telemetry.
    env: {
      TEAMSAPPTESTER_BROWSER: 'none',
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      M365_AGENTS_PLAYGROUND_LOGFILE: logFile,
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const readLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    const port = await new Promise<number>((resolvePort, reject) => {
      let out = '';
      const timer = setTimeout(
        () => reject(new Error('the playground did not say which port it listens on')),
        options.startTimeoutMs ?? 30_000,
      );
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const match = /Listening on (\d+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolvePort(Number(match[1]));
        }
      });
      child.stderr?.resume();
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`the playground stopped (exit ${code}) before it was ready`));
      });
    });
    const url = `http://localhost:${port}`;
    await waitForPing(url, options.startTimeoutMs ?? 30_000, () => child.exitCode !== null);
    return { url, port, logFile, process: child, readLog, stop };
  } catch (error) {
    await stop();
    // A bad config file makes it exit with the reason only in its log.
    const reason = readLog()
      .split('\n')
      .filter((line) => /error/i.test(line))
      .slice(-3)
      .join('\n');
    throw new Error(`${(error as Error).message}${reason ? `\n${reason}` : ''}\n(log: ${logFile})`);
  }
}

async function waitForPing(url: string, timeoutMs: number, hasExited: () => boolean): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (hasExited()) throw new Error('the playground stopped before it was ready');
    try {
      const res = await fetch(`${url}/_debug/ping`);
      if (res.ok && (await res.text()).includes('pong')) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the playground did not answer /_debug/ping in time');
}
