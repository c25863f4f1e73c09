import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { BOT_EVENTS, BOT_SCOPES, SLACK_ROUTES, SLASH_COMMAND } from '../../../adapters/slack/index.js';
import { interpret } from '../../../adapters/slack/inbound.js';
import { renderSlackManifest, usageHint } from '../../../manifests/slack/render.js';
import { productCommandMenus } from '../../../src/features/menu.js';
import { eventCallback } from '../../support/slack-signed-request.js';
import { startSlack, type SlackHarness } from './harness.js';

/** The schema generated from @slack/web-api's Manifest type (scripts/gen-slack-schemas.sh): a type-level check. */
const schema = JSON.parse(readFileSync('manifests/slack/manifest.schema.json', 'utf8')) as Record<string, unknown>;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const problems = (manifest: unknown) =>
  validate(manifest) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

type Manifest = {
  display_information: { name: string; description: string; long_description: string };
  features: {
    app_home: Record<string, boolean>;
    bot_user: { display_name: string };
    slash_commands: { command: string; url?: string; usage_hint?: string }[];
  };
  oauth_config: { redirect_urls: string[]; scopes: { bot: string[]; user?: string[] } };
  settings: {
    event_subscriptions: { request_url?: string; bot_events: string[]; user_events?: string[] };
    interactivity: { is_enabled: boolean; request_url?: string };
    socket_mode_enabled: boolean;
  };
};

const PUBLIC = 'https://bubbelbreker.gemeente.example';
const manifest = renderSlackManifest({ publicUrl: PUBLIC }) as unknown as Manifest;
const path = (url: string | undefined) => (url ? new URL(url).pathname : undefined);

let slack: SlackHarness | undefined;
afterEach(async () => {
  await slack?.close();
  slack = undefined;
});

describe('manifests/slack/manifest.json', () => {
  it('is valid against the schema generated from @slack/web-api, for HTTP and Socket Mode', () => {
    expect(problems(manifest)).toEqual([]);
    expect(problems(renderSlackManifest({ publicUrl: PUBLIC, socketMode: true }))).toEqual([]);
  });

  it('the schema catches mistakes (a misspelt scope, a missing name)', () => {
    const broken = structuredClone(manifest) as unknown as Record<string, Record<string, unknown>>;
    (broken.oauth_config!.scopes as { bot: string[] }).bot.push('chat:writee');
    delete broken.display_information!.name;
    expect(problems(broken).join('\n')).toMatch(/scopes\/bot\/6 must be equal to one of the allowed values/);
    expect(problems(broken).join('\n')).toMatch(/must have required property 'name'/);
  });

  it('stays within Slack’s documented text limits', () => {
    expect(manifest.display_information.name.length).toBeLessThanOrEqual(35);
    expect(manifest.display_information.description.length).toBeLessThanOrEqual(140);
    expect(manifest.display_information.long_description.length).toBeGreaterThanOrEqual(175);
    expect(manifest.display_information.long_description.length).toBeLessThanOrEqual(4000);
    expect(manifest.features.bot_user.display_name.length).toBeLessThanOrEqual(80);
  });

  it('asks the fewest scopes the code needs, no user scopes', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...BOT_SCOPES].sort());
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });

  it('the usage hint lists the commands of the route table everyone may use (checked-in template included)', () => {
    const commands = productCommandMenus({ modulesPath: 'dialogs/modules.yaml', dialogsDir: 'dialogs' });
    const rendered = renderSlackManifest({ publicUrl: PUBLIC, commands }) as unknown as typeof manifest;
    expect(rendered.features.slash_commands[0]!.usage_hint).toBe(usageHint(commands));
    expect(usageHint(commands)).toContain('mijn resultaten');
    expect(manifest.features.slash_commands[0]!.usage_hint).toBe(usageHint(commands));
  });

  it('the command, events and URLs match what the code serves', async () => {
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([SLASH_COMMAND]);
    expect(path(manifest.features.slash_commands[0]!.url)).toBe(SLACK_ROUTES.events);
    expect(path(manifest.settings.event_subscriptions.request_url)).toBe(SLACK_ROUTES.events);
    expect(path(manifest.settings.interactivity.request_url)).toBe(SLACK_ROUTES.events);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.oauth_config.redirect_urls.map(path)).toEqual([SLACK_ROUTES.oauthRedirect]);
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([...BOT_EVENTS].sort());
    expect(manifest.settings.event_subscriptions.user_events).toBeUndefined();
    for (const url of [manifest.settings.event_subscriptions.request_url, ...manifest.oauth_config.redirect_urls])
      expect(url!.startsWith(PUBLIC)).toBe(true);

    slack = await startSlack({
      config: {
        botToken: undefined,
        oauth: { clientId: 'cid', clientSecret: 'secret', stateSecret: 'state-secret-0123456789' },
      },
    });
    expect(slack.routes.paths().sort()).toEqual(
      [`GET ${SLACK_ROUTES.install}`, `GET ${SLACK_ROUTES.oauthRedirect}`, `POST ${SLACK_ROUTES.events}`].sort(),
    );
    nock.cleanAll();
  });

  it('every subscribed event is understood by the adapter', () => {
    const samples: Record<string, Record<string, unknown>> = {
      app_home_opened: { type: 'app_home_opened', user: 'U1', channel: 'DU1', tab: 'home' },
      app_mention: { type: 'app_mention', user: 'U1', text: '<@UBOT0001> help', ts: '1.1', channel: 'C1' },
      app_uninstalled: { type: 'app_uninstalled' },
      'message.im': { type: 'message', user: 'U1', text: 'help', ts: '1.1', channel: 'DU1', channel_type: 'im' },
      tokens_revoked: { type: 'tokens_revoked', tokens: { bot: ['UBOT0001'] } },
    };
    expect(Object.keys(samples).sort()).toEqual([...BOT_EVENTS].sort());
    for (const [name, event] of Object.entries(samples)) {
      const outcome = interpret(JSON.parse(eventCallback(event)) as Record<string, unknown>, Date.now());
      expect(outcome.ack, name).toBe('ok');
      expect(outcome.ack === 'ok' && outcome.work.length, name).toBe(1);
    }
  });

  it('has the App Home with both the Home and the Messages tab', () => {
    expect(manifest.features.app_home).toEqual({
      home_tab_enabled: true,
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: false,
    });
  });

  it('Socket Mode drops the request URLs', () => {
    const socket = renderSlackManifest({ publicUrl: PUBLIC, socketMode: true }) as unknown as Manifest;
    expect(socket.settings.socket_mode_enabled).toBe(true);
    expect(socket.settings.event_subscriptions.request_url).toBeUndefined();
    expect(socket.settings.interactivity.request_url).toBeUndefined();
    expect(socket.features.slash_commands[0]!.url).toBeUndefined();
  });
});
