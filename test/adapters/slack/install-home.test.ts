import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/app.js';
import { createPseudonymizer } from '../../../src/crypto/pseudonym.js';
import { dialogKey } from '../../../src/dialog/runner.js';
import { makeBot, TEST_PSEUDONYM_KEY } from '../../support/make-bot.js';
import { blockAction, directMessage, eventCallback, homeOpened } from '../../support/slack-signed-request.js';
import { viewProblems } from './block-kit.js';
import {
  agreeToConsent,
  API_ORIGIN,
  fakeSlackApi,
  startSlack,
  translator,
  waitFor,
  type SlackHarness,
} from './harness.js';

const personOf = createPseudonymizer(TEST_PSEUDONYM_KEY);
let core: Core | undefined;
let slack: SlackHarness | undefined;
afterEach(async () => {
  await slack?.close();
  await core?.pipeline.drain();
  slack = undefined;
});

const oauth = { clientId: '1234.5678', clientSecret: 'client-secret', stateSecret: 'state-secret-0123456789' };
/** The same fixture, from another workspace. */
const inTeam = (body: string, team: string) => body.replaceAll('T0TEST', team);

describe('OAuth installation (SLACK_CLIENT_ID/SECRET/STATE_SECRET)', () => {
  it('install → Slack consent → callback stores the workspace token, welcomes the installer, and events use that token', async () => {
    const api = fakeSlackApi(nock);
    core = await makeBot();
    slack = await startSlack({
      core,
      config: { botToken: undefined, oauth },
    });

    const install = await fetch(`${slack.url}/slack/install`, { redirect: 'manual' });
    expect(install.status).toBe(302);
    const consent = new URL(install.headers.get('location')!);
    expect(consent.origin + consent.pathname).toBe(`${API_ORIGIN}/oauth/v2/authorize`);
    expect(consent.searchParams.get('client_id')).toBe(oauth.clientId);
    expect(consent.searchParams.get('scope')).toBe(
      'app_mentions:read,chat:write,chat:write.public,commands,im:history,im:write',
    );
    const state = consent.searchParams.get('state')!;
    const cookie = install.headers.get('set-cookie')!.split(';')[0]!;

    nock(API_ORIGIN)
      .post('/api/oauth.v2.access', (body) => body.code === 'the-code' && body.client_id === oauth.clientId)
      .reply(200, {
        ok: true,
        app_id: 'A0TEST',
        authed_user: { id: 'U0ADMIN' },
        scope: 'app_mentions:read,chat:write,chat:write.public,commands,im:history,im:write',
        token_type: 'bot',
        access_token: 'xoxb-installed-token',
        bot_user_id: 'UBOTNEW',
        team: { id: 'T0NEW', name: 'Gemeente Nieuw' },
        enterprise: null,
        is_enterprise_install: false,
      });
    nock(API_ORIGIN)
      .post('/api/auth.test')
      .reply(200, { ok: true, bot_id: 'B0NEW', user_id: 'UBOTNEW', team_id: 'T0NEW' });
    const callback = await fetch(`${slack.url}/slack/oauth_redirect?code=the-code&state=${encodeURIComponent(state)}`, {
      headers: { cookie },
      redirect: 'manual',
    });
    expect(callback.status).toBe(200);
    const vault = core.hostFor('slack').vault;
    const stored = await vault.get<{ botToken: string; teamId: string }>('installation:T0NEW');
    expect(stored).toMatchObject({ teamId: 'T0NEW', botToken: 'xoxb-installed-token' });
    expect(JSON.stringify(stored)).not.toContain('U0ADMIN');
    // At rest the token and the workspace id are sealed: nothing in the store reads as either.
    const raw = JSON.stringify(await core.store.list(''));
    expect(raw).not.toContain('xoxb-installed-token');
    expect(raw).not.toContain('T0NEW');

    await waitFor(() => api.of('chat.postMessage').length === 1, 3_000, 'the welcome');
    expect(api.of('chat.postMessage')[0]).toMatchObject({
      authorization: 'Bearer xoxb-installed-token',
      body: { channel: 'DU0ADMIN' },
    });

    await slack.post(inTeam(directMessage('U5', 'help', 'DU5'), 'T0NEW'));
    await slack.adapter.drain();
    await core.pipeline.drain();
    expect(api.of('chat.postMessage').at(-1)).toMatchObject({
      authorization: 'Bearer xoxb-installed-token',
      body: { channel: 'DU5' },
    });

    // Uninstalled: the token is forgotten, nothing more is sent for that workspace.
    await slack.post(inTeam(eventCallback({ type: 'app_uninstalled' }), 'T0NEW'));
    await slack.adapter.drain();
    expect(await vault.get('installation:T0NEW')).toBeUndefined();
    const before = api.calls.length;
    await slack.post(inTeam(directMessage('U5', 'help', 'DU5'), 'T0NEW'));
    await slack.adapter.drain();
    await core.pipeline.drain();
    expect(api.calls.length).toBe(before);
  });

  it('a callback with a forged state is refused and stores nothing', async () => {
    fakeSlackApi(nock);
    core = await makeBot();
    slack = await startSlack({
      core,
      config: { botToken: undefined, oauth },
    });
    const callback = await fetch(`${slack.url}/slack/oauth_redirect?code=the-code&state=forged`, {
      redirect: 'manual',
    });
    expect(callback.status).toBeGreaterThanOrEqual(400);
    expect(await core.hostFor('slack').vault.get('installation:T0NEW')).toBeUndefined();
  });
});

describe('the App Home tab', () => {
  it('shows shortcuts, the person’s results and modules, and settings; its buttons answer in the 1:1 chat', async () => {
    const api = fakeSlackApi(nock, { locales: { U1: 'en-US' } });
    core = await makeBot();
    slack = await startSlack({ core });
    await slack.post(homeOpened('U1'));
    await waitFor(() => api.of('views.publish').length === 1, 3_000, 'views.publish');
    const publish = api.of('views.publish')[0]!;
    expect(publish.body.user_id).toBe('U1');
    const view = JSON.parse(publish.body.view!) as Record<string, unknown>;
    expect(view.type).toBe('home');
    expect(viewProblems(view)).toEqual([]);
    const text = JSON.stringify(view);
    // Dutch first, whatever Slack's own locale says (en-US here); English is one button away.
    for (const key of ['slack.home.title', 'slack.home.settings', 'slack.home.language'])
      expect(text).toContain(translator.t('nl', key));
    // The person's results (none yet) and the module catalogue are the core's own answers, in Dutch.
    expect(text).toContain(translator.t('nl', 'slack.home.results'));
    expect(text).toMatch(/bb\|a\|checkin\|learn\|/);
    expect(text).not.toContain(translator.t('en', 'slack.home.intro'));
    expect(api.of('users.info')).toHaveLength(0);
    // Nothing was sent in a conversation: the Home tab is the person's own view.
    expect(api.of('chat.postMessage')).toHaveLength(0);

    const checkin = text.match(/bb\|a\|core\|command\|name=checkin\|/)![0];
    await slack.post(blockAction({ user: 'U1', channel: '', messageTs: '', actionId: checkin, fromHome: true }));
    await slack.adapter.drain();
    await core.pipeline.drain();
    expect(api.of('conversations.open')[0]?.body.users).toBe('U1');
    // The consent card, in the 1:1 chat; the check-in starts after "ja".
    expect(api.of('chat.postMessage').map((c) => c.body.channel)).toEqual(['DU1']);
    await agreeToConsent(slack, api, 'U1', 'DU1');
    await core.pipeline.drain();
    expect(new Set(api.of('chat.postMessage').map((c) => c.body.channel))).toEqual(new Set(['DU1']));
    expect(
      (await core.store.getVersioned(dialogKey(personOf({ platform: 'slack', tenantId: 'T0TEST', userId: 'U1' }))))
        .value,
    ).toBeDefined();
  });
});
