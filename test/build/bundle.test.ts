/**
 * The bundle `npm start` runs (scripts/bundle.mjs) behaves like the sources the other tests run: it starts with
 * Slack and Teams configured, reads its data files and pictures, answers a signed Slack message with the first
 * question, loads the Teams adapter (our token check answers an unsigned request), and stops cleanly on SIGTERM.
 * A bundling mistake (a package that needs its own files, a path that moved) shows here, not in production.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlatformDouble, startPlatformDouble } from '../support/platform-double.js';
import { TEST_DATA_KEY, TEST_PSEUDONYM_KEY } from '../support/make-bot.js';
import { directMessage, postSigned, TEST_SIGNING_SECRET } from '../support/slack-signed-request.js';
import { tempDir } from '../support/temp.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('the bundled server (npm start)', () => {
  // Inside the project: the bundle loads the packages it leaves out (better-sqlite3, bullmq, …) from node_modules.
  let outdir: string;
  let slack: PlatformDouble;
  let child: ChildProcess;
  let base: string;
  let output = '';

  beforeAll(async () => {
    mkdirSync(join(ROOT, 'dist'), { recursive: true });
    outdir = mkdtempSync(join(ROOT, 'dist', '.bundle-test-'));
    const { bundle } = (await import(join(ROOT, 'scripts', 'bundle.mjs'))) as {
      bundle(outdir: string): Promise<string>;
    };
    const entry = await bundle(outdir);
    slack = await startPlatformDouble();
    const dir = tempDir('bb-bundle-');
    child = spawn(process.execPath, [entry], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        DATABASE_PATH: join(dir, 'bb.sqlite'),
        KEYS_DIR: join(dir, 'keys'),
        PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
        DATA_KEY: TEST_DATA_KEY,
        SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
        SLACK_BOT_TOKEN: 'xoxb-bundle-test',
        SLACK_API_URL: slack.apiUrl,
        MICROSOFT_APP_ID: '00000000-0000-4000-8000-0000000000bb',
        MICROSOFT_APP_PASSWORD: 'bundle-test-not-a-secret',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const port = await new Promise<number>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`the bundle did not start:\n${output}`)), 30_000);
      const read = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const ready = /"port":(\d+)[^\n]*"msg":"bubbelbreker ready"/.exec(output);
        if (ready) {
          clearTimeout(timer);
          done(Number(ready[1]));
        }
      };
      child.stdout?.on('data', read);
      child.stderr?.on('data', read);
      child.once('exit', (code) => fail(new Error(`the bundle exited (${code}):\n${output}`)));
    });
    base = `http://127.0.0.1:${port}`;
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await slack?.close();
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  it('is ready, serves its pages and pictures, and answers a Slack message with the first question', async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/privacy`)).status).toBe(200);
    const picture = await fetch(`${base}/images/glasl/nl-both-1-2.png`);
    expect(picture.status).toBe(200);
    expect(picture.headers.get('content-type')).toBe('image/png');

    expect((await postSigned(`${base}/slack/events`, directMessage('U1', 'checkin', 'DU1'))).status).toBe(200);
    await slack.waitFor(() => slack.of('chat.postMessage').length >= 1, 10_000);
    const first = slack.of('chat.postMessage')[0]!;
    expect(first.body.channel).toBe('DU1');
    expect(JSON.stringify(first.body.blocks)).toContain('bb|a|');
  });

  it('has the Teams adapter loaded: an unsigned activity gets our token check’s 401', async () => {
    const response = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: 'bundle-1',
        channelId: 'msteams',
        serviceUrl: 'https://smba.example.test/',
        text: 'help',
        from: { id: '29:user' },
        recipient: { id: '28:bot' },
        conversation: { id: 'a:personal', conversationType: 'personal' },
      }),
    });
    expect(response.status).toBe(401);
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('bubbelbreker stopped');
  }, 20_000);
});
