/**
 * Nothing acknowledged is lost: the server acknowledges a Slack event only after it recorded it, so a process killed
 * (SIGKILL) while a slow Web API call was under way leaves the event to the next process, which finishes it — the
 * person gets their answer, once. Real processes, a real SQLite file, a Slack Web API stand-in on loopback.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type PlatformDouble, startPlatformDouble } from '../support/platform-double.js';
import { TEST_DATA_KEY, TEST_PSEUDONYM_KEY } from '../support/make-bot.js';
import { blockAction, directMessage, postSigned, TEST_SIGNING_SECRET } from '../support/slack-signed-request.js';
import { tempDir } from '../support/temp.js';

const ROOT = resolve(import.meta.dirname, '../..');
const children: ChildProcess[] = [];
let slack: PlatformDouble | undefined;
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await slack?.close();
  slack = undefined;
});

/** Start the server in a child process; resolves with its events URL once it is ready. */
async function server(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/reliability/support/server-child.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const port = await new Promise<number>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${output}`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      const match = /ready (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        done(Number(match[1]));
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
  });
  return { child, url: `http://127.0.0.1:${port}/slack/events` };
}

describe('a process killed after the ack', () => {
  it('leaves the recorded event to the next process, which answers it once', async () => {
    slack = await startPlatformDouble();
    const dir = tempDir('bb-crash-');
    const env = {
      PORT: '0',
      LOG_LEVEL: 'silent',
      DATABASE_PATH: join(dir, 'bb.sqlite'),
      KEYS_DIR: join(dir, 'keys'),
      PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
      DATA_KEY: TEST_DATA_KEY,
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-crash-test',
      SLACK_API_URL: slack.apiUrl,
      TEST_INBOX_LEASE_MS: '200',
    };
    const first = await server(env);
    // The person starts a check-in, agrees on the consent card, and the first question arrives.
    expect((await postSigned(first.url, directMessage('U1', 'checkin', 'DU1'))).status).toBe(200);
    await slack.waitFor(() => slack!.of('chat.postMessage').length === 1);
    const card = JSON.stringify(slack.of('chat.postMessage')[0]!.body.blocks);
    const agree = card.match(/bb\|a\|privacy\|consent\|[^"]*/)![0];
    const yes = blockAction({ user: 'U1', channel: 'DU1', messageTs: '1700000001.000100', actionId: agree });
    expect((await postSigned(first.url, yes)).status).toBe(200);
    await slack.waitFor(() => slack!.of('chat.postMessage').length === 2 && slack!.of('chat.update').length === 1);
    const question = slack.of('chat.postMessage')[1]!;
    const answer = JSON.stringify(question.body.blocks).match(/bb\|a\|dialog\|answer\|[^|"]*\|[A-Za-z]+/)![0];

    // The person answers; Slack's Web API is slow, and the process is killed while it waits for it.
    slack.hang('chat.update');
    const click = blockAction({ user: 'U1', channel: 'DU1', messageTs: '1700000001.000200', actionId: answer });
    expect((await postSigned(first.url, click)).status).toBe(200);
    await slack.waitFor(() => slack!.of('chat.update').length === 2);
    first.child.kill('SIGKILL');
    await new Promise((done) => first.child.once('exit', done));
    slack.release();

    // The next process finishes the recorded event: the person sees the next question, once.
    const second = await server(env);
    await slack.waitFor(() => slack!.of('chat.update').length + slack!.of('chat.postMessage').length >= 5, 15_000);
    const after = [...slack.of('chat.update').slice(2), ...slack.of('chat.postMessage').slice(2)];
    expect(after).toHaveLength(1);
    expect(JSON.stringify(after[0]!.body.blocks)).toMatch(/Vraag 2 · nog ongeveer/);
    // Slack delivering the click again (the same event) changes nothing.
    expect((await postSigned(second.url, click)).status).toBe(200);
    await new Promise((done) => setTimeout(done, 500));
    expect(slack.of('chat.update').length + slack.of('chat.postMessage').length).toBe(5);
  }, 60_000);
});
