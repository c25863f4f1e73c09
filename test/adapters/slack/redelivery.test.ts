/**
 * Redeliveries that reach the adapter's own work before the core's de-duplication: the App Home and the look-ups
 * (conversations.open, users.info) a turn needs. One delivery does the work; a redelivery does none of it again.
 */
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/app.js';
import { openMemoryStore } from '../../../src/store/create-store.js';
import type { KeyValueStore } from '../../../src/store/store.js';
import { makeBot } from '../../support/make-bot.js';
import { homeOpened, slashCommand } from '../../support/slack-signed-request.js';
import { fakeSlackApi, startSlack, waitFor, type SlackHarness } from './harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function replica(store?: KeyValueStore): Promise<{ core: Core; slack: SlackHarness }> {
  const core = await makeBot({ store });
  const slack = await startSlack({ core });
  cleanups.push(async () => {
    await slack.close();
    await core.pipeline.drain();
  });
  return { core, slack };
}

const settle = async (...replicas: { core: Core; slack: SlackHarness }[]) => {
  for (const r of replicas) await r.slack.adapter.drain();
  for (const r of replicas) await r.core.pipeline.drain();
};

const retry = (n: number) => ({ headers: { 'x-slack-retry-num': String(n), 'x-slack-retry-reason': 'http_timeout' } });

describe('app_home_opened', () => {
  it('delivered again: the Home is published once and keeps its content; opened again: published again, in full', async () => {
    const api = fakeSlackApi(nock);
    const r = await replica();
    const opened = homeOpened('U1');
    expect((await r.slack.post(opened)).status).toBe(200);
    await waitFor(() => api.of('views.publish').length === 1, 3_000, 'views.publish');
    await settle(r);
    for (const n of [1, 2]) expect((await r.slack.post(opened, retry(n))).status).toBe(200);
    await settle(r);
    expect(api.of('views.publish')).toHaveLength(1);
    expect(api.of('users.info')).toHaveLength(1);

    // A new opening of the tab (a new event) runs the captured commands again: the module catalogue is there again.
    await r.slack.post(homeOpened('U1'));
    await settle(r);
    const views = api.of('views.publish').map((c) => c.body.view!);
    expect(views).toHaveLength(2);
    for (const view of views) expect(view).toMatch(/bb\|a\|checkin\|learn\|/);
    expect(views[1]).toBe(views[0]);
  });
});

describe('look-ups before the core de-duplicates', () => {
  it('a redelivered slash command on another replica calls conversations.open and users.info no more', async () => {
    const api = fakeSlackApi(nock);
    const shared = openMemoryStore();
    const one = await replica(shared);
    const two = await replica(shared);
    const command = slashCommand('U2', 'help', 'DU2');
    await one.slack.post(command);
    await settle(one);
    expect(api.of('conversations.open')).toHaveLength(1);
    expect(api.of('users.info')).toHaveLength(1);
    const answers = api.messages().length;
    expect(answers).toBeGreaterThan(0);

    expect((await two.slack.post(command, retry(1))).status).toBe(200);
    await settle(two);
    expect(api.of('conversations.open')).toHaveLength(1);
    expect(api.of('users.info')).toHaveLength(1);
    expect(api.messages()).toHaveLength(answers);

    // A new command on that replica does its look-ups as usual.
    await two.slack.post(slashCommand('U2', 'help', 'DU2'));
    await settle(two);
    expect(api.of('conversations.open')).toHaveLength(2);
    expect(api.messages().length).toBeGreaterThan(answers);
  });
});
