/**
 * The log canary: a person writes a unique string, and it goes through every path a real server has — success, a
 * validation error, a retry after Slack's 429, a process killed mid-turn and the restart that finishes its work, and
 * an error nobody caught. Every line both processes log (at trace level) is searched for the canary, the person's
 * raw ids and the token.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installProcessHandlers } from '../../src/logger.js';
import { captureLogger } from '../support/capture-logger.js';
import { type PlatformDouble, startPlatformDouble } from '../support/platform-double.js';
import { TEST_DATA_KEY, TEST_PSEUDONYM_KEY } from '../support/make-bot.js';
import { directMessage, postSigned, TEST_SIGNING_SECRET, TEST_TEAM } from '../support/slack-signed-request.js';
import { tempDir } from '../support/temp.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CANARY = 'KANARIE-log-Wq83 wethouder Jansen';
const USER = 'UCANARY7731';
const CHANNEL = 'DCANARY7731';
const TOKEN = 'xoxb-canary-token-5521';

const children: ChildProcess[] = [];
let slack: PlatformDouble | undefined;
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await slack?.close();
  slack = undefined;
});

/** The server in a child process, logging everything; resolves once it is ready. */
async function server(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/reliability/support/server-child.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const out = { text: '' };
  child.stderr?.on('data', (d: Buffer) => {
    out.text += d.toString();
  });
  const port = await new Promise<number>((done, fail) => {
    const timer = setTimeout(() => fail(new Error('server did not start')), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out.text += d.toString();
      const match = /ready (\d+)/.exec(out.text);
      if (match) {
        clearTimeout(timer);
        done(Number(match[1]));
      }
    });
  });
  return { child, out, url: `http://127.0.0.1:${port}/slack/events` };
}

function expectClean(text: string): void {
  for (const secret of [CANARY, 'KANARIE', USER, CHANNEL, TOKEN, TEST_TEAM]) expect(text, secret).not.toContain(secret);
}

describe('the log canary', () => {
  it('never logs the canary, the raw ids or the token: success, bad input, 429, crash and restart', async () => {
    slack = await startPlatformDouble({ limits: false });
    const dir = tempDir('bb-canary-');
    const env = {
      PORT: '0',
      LOG_LEVEL: 'trace',
      DATABASE_PATH: join(dir, 'bb.sqlite'),
      KEYS_DIR: join(dir, 'keys'),
      PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
      DATA_KEY: TEST_DATA_KEY,
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_API_URL: slack.apiUrl,
      TEST_INBOX_LEASE_MS: '200',
    };
    const first = await server(env);
    const posts = () => slack!.of('chat.postMessage').length;

    // Success: the canary as a message; the bot answers.
    expect((await postSigned(first.url, directMessage(USER, CANARY, CHANNEL))).status).toBe(200);
    await slack.waitFor(() => posts() >= 1);

    // Validation errors: a body that is no JSON, and an event of a shape Slack never sends, both with the canary.
    expect((await postSigned(first.url, `{"type":"event_callback","event":${CANARY}`)).status).toBeGreaterThanOrEqual(
      400,
    );
    const odd = JSON.stringify({
      type: 'event_callback',
      team_id: TEST_TEAM,
      event: { type: 'message', text: CANARY, user: USER, channel: CHANNEL, channel_type: 'im', ts: 5 },
    });
    expect((await postSigned(first.url, odd)).status).toBeLessThan(500);

    // A retry: Slack answers 429 once.
    slack.rateLimit('chat.postMessage', 1);
    const before = slack.calls.length;
    expect((await postSigned(first.url, directMessage(USER, `${CANARY} opnieuw`, CHANNEL))).status).toBe(200);
    await slack.waitFor(() => slack!.calls.length > before);

    // A crash: the process is killed while Slack hangs; the next process finishes the recorded event.
    await new Promise((done) => setTimeout(done, 1200));
    slack.hang('chat.postMessage');
    const waiting = posts();
    expect((await postSigned(first.url, directMessage(USER, `${CANARY} na de crash`, CHANNEL))).status).toBe(200);
    await slack.waitFor(() => posts() > waiting);
    first.child.kill('SIGKILL');
    await new Promise((done) => first.child.once('exit', done));
    slack.release();
    const answered = posts();
    const second = await server(env);
    await slack.waitFor(() => posts() > answered, 15_000);
    // The recorded message was the canary: the restart handled it (the second process did log its work).
    await new Promise((done) => setTimeout(done, 500));
    // Every path was taken, and logged: the refusal, the 429, the failed turn, the recovery after the crash.
    for (const line of ['event handled', 'slack payload refused', 'slack rate limit', 'turn failed'])
      expect(first.out.text, line).toContain(line);
    expect(second.out.text).toContain('recorded events recovered');

    // An error nobody caught, with the canary in its message: logged by class and frames, then the process stops.
    const third = await server({ ...env, TEST_CRASH_WITH: CANARY });
    const code = await new Promise<number | null>((done) => third.child.once('exit', done));
    expect(code).toBe(1);
    expect(third.out.text).toMatch(/unhandled promise rejection/);

    expect(first.out.text.length).toBeGreaterThan(200);
    expectClean(first.out.text);
    expectClean(second.out.text);
    expectClean(third.out.text);
  }, 90_000);

  it('the process handler logs class, code and frames, never the message (not even of a BotError)', () => {
    const cap = captureLogger();
    const handlers = new Map<string, (...args: unknown[]) => void>();
    let exited: number | undefined;
    const proc = {
      on: (name: string, fn: (...args: unknown[]) => void) => handlers.set(name, fn),
      exit: (code: number) => {
        exited = code;
      },
    } as unknown as NodeJS.Process;
    installProcessHandlers(cap.log, proc);
    const error = Object.assign(new Error(CANARY), { code: 'E_CANARY' });
    handlers.get('uncaughtExceptionMonitor')?.(error, 'uncaughtException');
    handlers.get('unhandledRejection')?.(new Error(CANARY, { cause: new Error(CANARY) }));
    const [crash, rejection] = cap.lines();
    expect(crash).toMatchObject({ msg: 'uncaught exception', error: { type: 'Error', code: 'E_CANARY' } });
    expect((crash?.error as { frames?: unknown[] } | undefined)?.frames?.length).toBeGreaterThan(0);
    expect(rejection).toMatchObject({ msg: 'unhandled promise rejection', error: { type: 'Error' } });
    expect(exited).toBe(1);
    expect(cap.text()).not.toContain('KANARIE');
  });
});
