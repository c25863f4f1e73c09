import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, type Env } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

const KEY = 'k'.repeat(40);
const DATA = 'd'.repeat(64);
const CANARY = 'CANARY-b4d-v4lue';
const GUID = '00000000-0000-4000-8000-000000000001';

function configError(env: Env): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({ PSEUDONYM_KEY: KEY, DATA_KEY: DATA });
    expect(config).toMatchObject({
      env: 'development',
      localMode: false,
      port: 3978,
      host: '0.0.0.0',
      logLevel: 'info',
      store: { databasePath: './data/bubbelbreker.sqlite', redisUrl: undefined },
      pseudonymKey: KEY,
      dataKey: DATA,
      keysDir: './.keys',
      retentionDays: 90,
      noteRetentionDays: 7,
      defaultLocale: 'nl',
      dialogsDir: './dialogs',
      modulesPath: './dialogs/modules.yaml',
      slack: undefined,
      teams: undefined,
    });
  });

  it('local mode: loopback host, no pseudonym key needed, Teams without authentication', () => {
    const config = loadConfig({ BOT_LOCAL_MODE: '1' });
    expect(config.localMode).toBe(true);
    expect(config.host).toBe('127.0.0.1');
    expect(config.pseudonymKey).toBeUndefined();
    expect(config.teams).toEqual({
      appId: undefined,
      appPassword: undefined,
      appTenantId: undefined,
      appType: 'MultiTenant',
      allowedTenants: [],
      tenantRps: 30,
    });
    expect(loadConfig({}, { BOT_LOCAL_MODE: 'true' }).localMode).toBe(true);
    // With Teams authentication on (an app id), local mode may listen beyond loopback; without it, it may not.
    expect(
      loadConfig({
        BOT_LOCAL_MODE: '1',
        HOST: '0.0.0.0',
        MICROSOFT_APP_ID: '00000000-0000-4000-8000-000000000001',
        MICROSOFT_APP_PASSWORD: 'p',
      }).host,
    ).toBe('0.0.0.0');
  });

  it('reads numbers, lists and flags', () => {
    const config = loadConfig({
      BOT_LOCAL_MODE: '1',
      PORT: '0',
      RETENTION_DAYS: '30',
      NOTE_RETENTION_DAYS: '3',
      TEAMS_ALLOWED_TENANTS: ' t1, ,t2 ',
      TEAMS_TENANT_RPS: '10',
    });
    expect(config.port).toBe(0);
    expect(config.retentionDays).toBe(30);
    expect(config.noteRetentionDays).toBe(3);
    expect(config.teams?.allowedTenants).toEqual(['t1', 't2']);
    expect(config.teams?.tenantRps).toBe(10);
  });

  it('treats empty values (KEY= in a .env template) as unset', () => {
    const config = loadConfig({
      PSEUDONYM_KEY: KEY,
      DATA_KEY: DATA,
      PORT: '',
      HOST: ' ',
      SLACK_BOT_TOKEN: '',
      BOT_LOCAL_MODE: '',
    });
    expect(config.port).toBe(3978);
    expect(config.host).toBe('0.0.0.0');
    expect(config.slack).toBeUndefined();
  });

  const badValues: [string, string][] = [
    ['NODE_ENV', CANARY],
    ['BOT_LOCAL_MODE', CANARY],
    ['PORT', CANARY],
    ['PORT', '98765432'],
    ['PORT', '80.5'],
    ['LOG_LEVEL', CANARY],
    ['REDIS_URL', CANARY],
    ['PSEUDONYM_KEY', CANARY],
    ['RETENTION_DAYS', CANARY],
    ['RETENTION_DAYS', '-77777'],
    ['NOTE_RETENTION_DAYS', CANARY],
    ['NOTE_RETENTION_DAYS', '-99999'],
    ['DEFAULT_LOCALE', CANARY],
    ['ESCALATION_CONTACT_NAME', CANARY.repeat(20)],
    ['ESCALATION_CONTACT_PHONE', CANARY.repeat(5)],
    ['ESCALATION_CONTACT_URL', CANARY],
    ['SLACK_SIGNING_SECRET', 'CANARY'],
    ['SLACK_BOT_TOKEN', CANARY],
    ['SLACK_APP_TOKEN', CANARY],
    ['SLACK_API_URL', CANARY],
    ['SLACK_STATE_SECRET', 'CANARY-short'],
    ['MICROSOFT_APP_ID', CANARY],
    ['MICROSOFT_APP_TYPE', CANARY],
    ['TEAMS_TENANT_RPS', CANARY],
    ['TEAMS_TENANT_RPS', '51'],
    ['PUBLIC_URL', CANARY],
  ];

  it.each(badValues)('names %s with its reason, never the value %s', (key, value) => {
    const error = configError({ BOT_LOCAL_MODE: key === 'BOT_LOCAL_MODE' ? value : '1', [key]: value });
    const issue = error.issues.find((i) => i.startsWith(`${key}: `));
    expect(issue, error.message).toBeDefined();
    // A reason, not a bare key, and not zod's "is required" for a value that is present.
    expect(issue!.length).toBeGreaterThan(key.length + 8);
    expect(issue).not.toMatch(/is required/);
    expect(error.message).not.toContain(value);
    expect(JSON.stringify(error.issues)).not.toContain(value);
    expect(error.code).toBe('CONFIG_INVALID');
  });

  it('lists every bad key at once', () => {
    const error = configError({ BOT_LOCAL_MODE: '1', PORT: 'x', LOG_LEVEL: 'loud', DEFAULT_LOCALE: 'de' });
    expect(error.issues.map((i) => i.split(':')[0]).sort()).toEqual(['DEFAULT_LOCALE', 'LOG_LEVEL', 'PORT']);
  });

  it('requires DATA_KEY outside local mode, as 64 hexadecimal characters or a versioned list, never echoing it', () => {
    expect(configError({ PSEUDONYM_KEY: KEY }).issues).toEqual([
      expect.stringMatching(/^DATA_KEY: is required outside local mode/),
    ]);
    for (const bad of [`${CANARY}${'0'.repeat(50)}`, `v1:${CANARY}`, `v1:${DATA},v1:${DATA}`]) {
      const error = configError({ PSEUDONYM_KEY: KEY, DATA_KEY: bad });
      expect(error.issues).toEqual([expect.stringMatching(/^DATA_KEY: must be 64 hexadecimal characters/)]);
      expect(error.message).not.toContain(CANARY);
    }
    expect(loadConfig({ PSEUDONYM_KEY: KEY, DATA_KEY: `v2:${'e'.repeat(64)},v1:${DATA}` }).dataKey).toMatch(/^v2:/);
  });

  it('requires PSEUDONYM_KEY outside local mode', () => {
    const error = configError({ DATA_KEY: DATA });
    expect(error.issues).toEqual([expect.stringMatching(/^PSEUDONYM_KEY: is required outside local mode/)]);
  });

  it('refuses NODE_ENV=production without platform credentials or local mode', () => {
    const error = configError({ NODE_ENV: 'production', PSEUDONYM_KEY: KEY, DATA_KEY: DATA });
    expect(error.issues).toEqual([expect.stringMatching(/^NODE_ENV: production needs Slack/)]);
    expect(loadConfig({ NODE_ENV: 'production', BOT_LOCAL_MODE: '1' }).env).toBe('production');
    expect(
      loadConfig({
        NODE_ENV: 'production',
        PSEUDONYM_KEY: KEY,
        DATA_KEY: DATA,
        MICROSOFT_APP_ID: GUID,
        MICROSOFT_APP_PASSWORD: 'pw',
      }).teams?.appId,
    ).toBe(GUID);
  });

  it('builds the Slack slice', () => {
    const config = loadConfig({
      PSEUDONYM_KEY: KEY,
      DATA_KEY: DATA,
      SLACK_SIGNING_SECRET: 'signing-secret-1',
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_API_URL: 'http://127.0.0.1:59999/api',
    });
    expect(config.slack).toEqual({
      signingSecret: 'signing-secret-1',
      botToken: 'xoxb-1',
      appToken: undefined,
      apiUrl: 'http://127.0.0.1:59999/api/',
      oauth: undefined,
    });
    const oauth = loadConfig({
      PSEUDONYM_KEY: KEY,
      DATA_KEY: DATA,
      SLACK_SIGNING_SECRET: 'signing-secret-1',
      SLACK_CLIENT_ID: 'cid',
      SLACK_CLIENT_SECRET: 'csecret',
      SLACK_STATE_SECRET: 's'.repeat(16),
    });
    expect(oauth.slack?.oauth).toEqual({ clientId: 'cid', clientSecret: 'csecret', stateSecret: 's'.repeat(16) });
    expect(oauth.slack?.apiUrl).toBe('https://slack.com/api/');
  });

  it('names what is missing for a half-configured Slack', () => {
    expect(configError({ PSEUDONYM_KEY: KEY, DATA_KEY: DATA, SLACK_BOT_TOKEN: 'xoxb-1' }).issues).toEqual([
      expect.stringMatching(/^SLACK_SIGNING_SECRET: is required/),
    ]);
    expect(
      configError({ PSEUDONYM_KEY: KEY, DATA_KEY: DATA, SLACK_SIGNING_SECRET: 'signing-secret-1' }).issues,
    ).toEqual([expect.stringMatching(/^SLACK_BOT_TOKEN: is required/)]);
    const oauth = configError({
      PSEUDONYM_KEY: KEY,
      DATA_KEY: DATA,
      SLACK_SIGNING_SECRET: 'signing-secret-1',
      SLACK_CLIENT_ID: 'cid',
    });
    expect(oauth.issues.map((i) => i.split(':')[0])).toEqual(['SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET']);
  });

  it('builds the Teams slice and names what is missing', () => {
    const config = loadConfig({
      PSEUDONYM_KEY: KEY,
      DATA_KEY: DATA,
      MICROSOFT_APP_ID: GUID,
      MICROSOFT_APP_PASSWORD: 'pw',
      MICROSOFT_APP_TYPE: 'SingleTenant',
      MICROSOFT_APP_TENANT_ID: 'tid',
    });
    expect(config.teams).toEqual({
      appId: GUID,
      appPassword: 'pw',
      appTenantId: 'tid',
      appType: 'SingleTenant',
      allowedTenants: [],
      tenantRps: 30,
    });
    expect(configError({ PSEUDONYM_KEY: KEY, DATA_KEY: DATA, MICROSOFT_APP_ID: GUID }).issues).toEqual([
      expect.stringMatching(/^MICROSOFT_APP_PASSWORD: is required/),
    ]);
    expect(
      configError({
        PSEUDONYM_KEY: KEY,
        DATA_KEY: DATA,
        MICROSOFT_APP_ID: GUID,
        MICROSOFT_APP_PASSWORD: 'pw',
        MICROSOFT_APP_TYPE: 'SingleTenant',
      }).issues,
    ).toEqual([expect.stringMatching(/^MICROSOFT_APP_TENANT_ID: is required/)]);
    expect(
      loadConfig({ PSEUDONYM_KEY: KEY, DATA_KEY: DATA, MICROSOFT_APP_ID: GUID, MICROSOFT_APP_TYPE: 'UserAssignedMSI' })
        .teams?.appPassword,
    ).toBeUndefined();
    expect(configError({ PSEUDONYM_KEY: KEY, DATA_KEY: DATA, MICROSOFT_APP_PASSWORD: CANARY }).issues).toEqual([
      expect.stringMatching(/^MICROSOFT_APP_ID: is required/),
    ]);
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({ BOT_LOCAL_MODE: '1', TEAMS_ALLOWED_TENANTS: 't1' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.store as { databasePath: string }).databasePath = 'x';
    }).toThrow(TypeError);
    expect(() => (config.teams!.allowedTenants as string[]).push('t2')).toThrow(TypeError);
  });
});

describe('process.env', () => {
  function sources(dir: string): string[] {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return [];
    }
    return entries.flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return sources(path);
      return /\.(c|m)?(t|j)sx?$/.test(name) ? [path] : [];
    });
  }

  it('is read only by src/config.ts', () => {
    const files = [...sources('src'), ...sources('adapters')];
    expect(files).toContain(join('src', 'config.ts'));
    const offenders = files
      .filter((file) => file !== join('src', 'config.ts'))
      .filter((file) => /process\s*\.\s*env\b|process\s*\[\s*['"`]env['"`]\s*\]/.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('local mode stays on this machine', () => {
  it('refuses a non-loopback HOST when Teams runs without authentication', async () => {
    const { loadConfig } = await import('../src/config.js');
    const { ConfigError } = await import('../src/errors.js');
    expect(() => loadConfig({ BOT_LOCAL_MODE: '1', HOST: '0.0.0.0' }, {})).toThrow(ConfigError);
    expect(() => loadConfig({ BOT_LOCAL_MODE: '1', HOST: '0.0.0.0' }, {})).toThrow(
      /HOST: local mode runs Teams without authentication/,
    );
    expect(loadConfig({ BOT_LOCAL_MODE: '1', HOST: '::1' }, {}).host).toBe('::1');
    expect(loadConfig({ BOT_LOCAL_MODE: '1' }, {}).host).toBe('127.0.0.1');
  });
});
