import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { parsePseudonymKeys } from './crypto/pseudonym.js';
import { parseDataKeys } from './crypto/sealer.js';
import { ConfigError } from './errors.js';
import { isTimeZone, parseQuietHours, type QuietHours } from './lib/quiet-hours.js';

function isPseudonymKeyList(value: string): boolean {
  try {
    parsePseudonymKeys(value);
    return true;
  } catch {
    return false;
  }
}

function isDataKeyList(value: string): boolean {
  try {
    parseDataKeys(value);
    return true;
  } catch {
    return false;
  }
}

/** The environment as read: plain strings, nothing validated yet. */
export type Env = Record<string, string | undefined>;

const flag = z.enum(['0', '1', 'true', 'false'], { message: 'use 1 or 0' }).transform((v) => v === '1' || v === 'true');
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const url = z.url({ message: 'must be a full URL such as https://example.org' });
/** One message for every way a number can be wrong (zod's own would say "is required" or "must be a number"). */
const intIn = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ message }).int(message).min(min, message).max(max, message);
};

/** Environment variable → schema. The one table of names; the README lists them. */
const EnvSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'], { message: 'use development, production or test' })
    .default('development'),
  BOT_LOCAL_MODE: flag.default(false),
  PORT: intIn(0, 65535).default(3978),
  HOST: z.string().min(1).optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'use fatal, error, warn, info, debug, trace or silent',
    })
    .default('info'),
  DATABASE_PATH: z.string().min(1).default('./data/bubbelbreker.sqlite'),
  MIN_FREE_DISK_MB: intIn(0, 1_000_000).default(64),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  PSEUDONYM_KEY: z
    .string()
    .refine(
      isPseudonymKeyList,
      'must be at least 32 characters (e.g. openssl rand -hex 32), or a list v2:<key>,v1:<key>, newest first',
    )
    .optional(),
  DATA_KEY: z
    .string()
    .refine(isDataKeyList, 'must be 64 hexadecimal characters (openssl rand -hex 32), or a list v2:<key>,v1:<key>')
    .optional(),
  KEYS_DIR: z.string().min(1).default('./.keys'),
  RETENTION_DAYS: intIn(1, 3650).default(90),
  NOTE_RETENTION_DAYS: intIn(1, 3650).default(7),
  DIALOGS_DIR: z.string().min(1).default('./dialogs'),
  MODULES_PATH: z.string().min(1).default('./dialogs/modules.yaml'),
  PUBLIC_DIR: z.string().min(1).default('./public'),
  DEFAULT_LOCALE: z.enum(['nl', 'en'], { message: 'use nl or en' }).default('nl'),
  ESCALATION_CONTACT_NAME: z.string().max(200, 'must be at most 200 characters').optional(),
  ESCALATION_CONTACT_PHONE: z.string().max(50, 'must be at most 50 characters').optional(),
  ESCALATION_CONTACT_URL: url.optional(),
  SLACK_SIGNING_SECRET: z.string().min(8, 'looks too short').optional(),
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-/, 'must start with xoxb-')
    .optional(),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, 'must start with xapp-')
    .optional(),
  SLACK_API_URL: url.default('https://slack.com/api/'),
  SLACK_CLIENT_ID: z.string().min(1).optional(),
  SLACK_CLIENT_SECRET: z.string().min(1).optional(),
  SLACK_STATE_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  MICROSOFT_APP_ID: z.uuid({ message: 'must be a GUID' }).optional(),
  MICROSOFT_APP_PASSWORD: z.string().min(1).optional(),
  MICROSOFT_APP_TENANT_ID: z.string().min(1).optional(),
  MICROSOFT_APP_TYPE: z
    .enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], {
      message: 'use MultiTenant, SingleTenant or UserAssignedMSI',
    })
    .default('MultiTenant'),
  TEAMS_ALLOWED_TENANTS: list.optional(),
  TEAMS_TENANT_RPS: intIn(1, 50).default(30),
  PUBLIC_URL: url.optional(),
  ORGANISERS: z
    .string()
    .transform((v, ctx) => {
      const entries = v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const organisers: Organiser[] = [];
      for (const entry of entries) {
        const match = /^(slack|teams):(\S+)$/.exec(entry);
        if (!match) {
          ctx.addIssue({ code: 'custom', message: 'use a comma list of slack:<user id> and teams:<AAD object id>' });
          return z.NEVER;
        }
        organisers.push({ platform: match[1] as Organiser['platform'], userId: match[2] as string });
      }
      return organisers;
    })
    .optional(),
  ORGANISER_API_TOKEN: z.string().min(24, 'must be at least 24 characters (e.g. openssl rand -hex 24)').optional(),
  QUIET_HOURS: z
    .string()
    .refine((v) => parseQuietHours(v) !== undefined, 'use off, or a range like 21:00-08:00, optionally with ,weekend')
    .default('21:00-08:00,weekend'),
  TIME_ZONE: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as Europe/Amsterdam')
    .default('Europe/Amsterdam'),
  DELIVERY_RETENTION_DAYS: intIn(1, 3650).default(30),
  AUDIT_RETENTION_DAYS: intIn(1, 3650).default(365),
  BROADCAST_MAX_ATTEMPTS: intIn(1, 100).default(10),
  BROADCAST_CONCURRENCY: intIn(1, 1000).default(32),
  SESSION_REMINDERS: z
    .string()
    .refine((v) => parseOffsets(v) !== undefined, 'use off, or a comma list of durations like 1d,2h,30m')
    .default('1d,2h'),
  SESSION_OFFER_HOURS: intIn(1, 168).default(24),
  SESSION_RETENTION_DAYS: intIn(1, 3650).default(180),
  CALENDAR_LINK_HOURS: intIn(1, 720).default(72),
  // A cell of fewer than k people is never shown; below 3 a cell could single out a pair who know each other.
  INSIGHTS_K: z.coerce
    .number({ message: 'must be a whole number from 3 to 1000' })
    .int('must be a whole number from 3 to 1000')
    .min(3, 'must be at least 3 (10 is advised for political items)')
    .max(1000, 'must be a whole number from 3 to 1000')
    .default(5),
  FOLLOWUP_WEEKS: intIn(1, 52).default(6),
});

/** `1d,2h,30m` → offsets in ms (largest first); `off` → none; anything else → undefined. */
export function parseOffsets(text: string): number[] | undefined {
  const value = text.trim().toLowerCase();
  if (value === 'off') return [];
  const units: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000 };
  const offsets: number[] = [];
  for (const part of value.split(',').map((p) => p.trim())) {
    const match = /^(\d{1,3})([dhm])$/.exec(part);
    if (!match || Number(match[1]) === 0) return undefined;
    offsets.push(Number(match[1]) * (units[match[2] as string] as number));
  }
  return offsets.length > 0 && offsets.length <= 5 ? [...new Set(offsets)].sort((a, b) => b - a) : undefined;
}

/** One organiser from ORGANISERS: a platform user id (Slack user id, Teams Entra object id). */
export interface Organiser {
  platform: 'slack' | 'teams';
  userId: string;
}

/** Slack settings; present when SLACK_SIGNING_SECRET is set. */
export interface SlackConfig {
  signingSecret: string;
  botToken?: string;
  appToken?: string;
  apiUrl: string;
  oauth?: { clientId: string; clientSecret: string; stateSecret: string };
}

/** Teams settings; present with an app id, or in local mode (then without authentication). */
export interface TeamsConfig {
  appId?: string;
  appPassword?: string;
  appTenantId?: string;
  appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
  /** Empty = every tenant. */
  allowedTenants: string[];
  /** Per-tenant outbound requests per second (Teams allows up to 50). */
  tenantRps: number;
}

/** The whole validated configuration; frozen. */
export interface Config {
  env: 'development' | 'production' | 'test';
  /** Trying it out: no platform credentials needed, Teams without authentication, a generated pseudonym key. */
  localMode: boolean;
  port: number;
  host: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** The SQLite file or the Redis URL; `minFreeBytes`: below this much free disk /readyz reports not ready. */
  store: { databasePath: string; redisUrl?: string; minFreeBytes?: number };
  /** Undefined only in local mode, where one is generated into `keysDir`. */
  pseudonymKey?: string;
  /** The data keys (newest first) for encryption at rest; undefined only in local mode, as `pseudonymKey`. */
  dataKey?: string;
  /** Where local mode keeps its generated keys; never the database folder. */
  keysDir: string;
  retentionDays: number;
  /** How long the optional free-text note of a check-in is kept, at most (never longer than its result). */
  noteRetentionDays: number;
  defaultLocale: 'nl' | 'en';
  dialogsDir: string;
  modulesPath: string;
  /** Files served as they are: the result's pictures (`/images`), under PUBLIC_URL. */
  publicDir: string;
  escalation: { name?: string; phone?: string; url?: string };
  publicUrl?: string;
  slack?: SlackConfig;
  teams?: TeamsConfig;
  /** Organisers from ORGANISERS; more are added per workspace or tenant from the chat. */
  organisers: Organiser[];
  /** The organiser API's bearer token; without it the API refuses every call. */
  organiserApiToken?: string;
  /** When direct messages wait (QUIET_HOURS); `off` when they never do. */
  quietHours: QuietHours | 'off';
  /** The time zone of people and organisers whose platform does not tell theirs. */
  timeZone: string;
  /** Delivery of announcements (and later reminders): attempts per recipient, jobs at once, how long records stay. */
  delivery: { maxAttempts: number; concurrency: number; retentionDays: number };
  /** How long the organisers' audit log keeps an entry. */
  auditRetentionDays: number;
  /**
   * Masterclass sessions: reminder offsets before the start (ms, largest first), how long a freed seat is held for
   * the next person waiting, how long sessions, RSVPs and attendance are kept after the session, and how long a
   * calendar link works.
   */
  sessions: { reminderOffsetsMs: number[]; offerHours: number; retentionDays: number; calendarLinkHours: number };
  /**
   * Insights for organisers: the smallest number of people a published cell may stand for (INSIGHTS_K, at least 3),
   * and how many weeks after a session its participants are offered a follow-up check-in (FOLLOWUP_WEEKS).
   */
  insights: { k: number; followupWeeks: number };
}

function describeIssues(error: z.ZodError, input: Env): string[] {
  return error.issues.map((issue) => {
    const key = String(issue.path[0] ?? 'environment');
    // zod 4 leaves `issue.input` out unless asked, so "missing" is decided from the input itself.
    // zod's default messages can echo the received value: cut that part off as a safety net.
    const message = input[key] === undefined ? 'is required' : issue.message.replace(/received .*/i, '').trim();
    return `${key}: ${message}`;
  });
}

/** `KEY=` (empty or blank) means unset, as in most .env templates; otherwise PORT= would become port 0. */
function withoutBlanks(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
}

/** Read KEY=value lines from a .env file, if there is one. Values in the real environment win. */
export function readDotEnv(path = '.env'): Env {
  return existsSync(path) ? (parseEnv(readFileSync(path, 'utf8')) as Env) : {};
}

/**
 * Validate the environment into a frozen Config. Throws a ConfigError naming each bad key and why, never its value.
 * `overrides` lets a launcher (dev, chat) ask for local mode without touching process.env.
 */
export function loadConfig(env: Env = { ...readDotEnv(), ...process.env }, overrides: Env = {}): Config {
  const input = withoutBlanks({ ...env, ...overrides });
  const parsed = EnvSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, input));
  const e = parsed.data;
  const problems: string[] = [];
  const localMode = e.BOT_LOCAL_MODE;

  if (!localMode && !e.PSEUDONYM_KEY)
    problems.push('PSEUDONYM_KEY: is required outside local mode (set BOT_LOCAL_MODE=1 to try Bubbelbreker locally)');
  if (!localMode && !e.DATA_KEY)
    problems.push('DATA_KEY: is required outside local mode (set BOT_LOCAL_MODE=1 to try Bubbelbreker locally)');

  let slack: SlackConfig | undefined;
  if (e.SLACK_SIGNING_SECRET || e.SLACK_BOT_TOKEN || e.SLACK_APP_TOKEN || e.SLACK_CLIENT_ID) {
    if (!e.SLACK_SIGNING_SECRET) problems.push('SLACK_SIGNING_SECRET: is required when Slack is configured');
    if (!e.SLACK_BOT_TOKEN && !e.SLACK_CLIENT_ID)
      problems.push('SLACK_BOT_TOKEN: is required unless the OAuth install (SLACK_CLIENT_ID) is used');
    if (e.SLACK_CLIENT_ID && !e.SLACK_CLIENT_SECRET)
      problems.push('SLACK_CLIENT_SECRET: is required with SLACK_CLIENT_ID');
    if (e.SLACK_CLIENT_ID && !e.SLACK_STATE_SECRET)
      problems.push('SLACK_STATE_SECRET: is required with SLACK_CLIENT_ID');
    if (e.SLACK_SIGNING_SECRET) {
      slack = {
        signingSecret: e.SLACK_SIGNING_SECRET,
        botToken: e.SLACK_BOT_TOKEN,
        appToken: e.SLACK_APP_TOKEN,
        apiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`,
        oauth:
          e.SLACK_CLIENT_ID && e.SLACK_CLIENT_SECRET && e.SLACK_STATE_SECRET
            ? { clientId: e.SLACK_CLIENT_ID, clientSecret: e.SLACK_CLIENT_SECRET, stateSecret: e.SLACK_STATE_SECRET }
            : undefined,
      };
    }
  }

  let teams: TeamsConfig | undefined;
  if (e.MICROSOFT_APP_ID || localMode) {
    if (e.MICROSOFT_APP_ID && e.MICROSOFT_APP_TYPE !== 'UserAssignedMSI' && !e.MICROSOFT_APP_PASSWORD)
      problems.push('MICROSOFT_APP_PASSWORD: is required with MICROSOFT_APP_ID');
    if (e.MICROSOFT_APP_ID && e.MICROSOFT_APP_TYPE === 'SingleTenant' && !e.MICROSOFT_APP_TENANT_ID)
      problems.push('MICROSOFT_APP_TENANT_ID: is required for a SingleTenant app');
    teams = {
      appId: e.MICROSOFT_APP_ID,
      appPassword: e.MICROSOFT_APP_PASSWORD,
      appTenantId: e.MICROSOFT_APP_TENANT_ID,
      appType: e.MICROSOFT_APP_TYPE,
      allowedTenants: e.TEAMS_ALLOWED_TENANTS ?? [],
      tenantRps: e.TEAMS_TENANT_RPS,
    };
  } else if (e.MICROSOFT_APP_PASSWORD) {
    problems.push('MICROSOFT_APP_ID: is required with MICROSOFT_APP_PASSWORD');
  }

  if (e.NODE_ENV === 'production' && !localMode && !slack && !e.MICROSOFT_APP_ID)
    problems.push(
      'NODE_ENV: production needs Slack (SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN) or Teams (MICROSOFT_APP_ID) credentials, or BOT_LOCAL_MODE=1',
    );

  // Local mode runs Teams without authentication: keep it on this machine.
  const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
  if (localMode && !e.MICROSOFT_APP_ID && e.HOST !== undefined && !LOOPBACK.has(e.HOST))
    problems.push(
      'HOST: local mode runs Teams without authentication, so it only listens on 127.0.0.1, ::1 or localhost',
    );

  if (problems.length > 0) throw new ConfigError(problems);

  const config: Config = {
    env: e.NODE_ENV,
    localMode,
    port: e.PORT,
    host: e.HOST ?? (localMode ? '127.0.0.1' : '0.0.0.0'),
    logLevel: e.LOG_LEVEL,
    store: { databasePath: e.DATABASE_PATH, redisUrl: e.REDIS_URL, minFreeBytes: e.MIN_FREE_DISK_MB * 1024 * 1024 },
    pseudonymKey: e.PSEUDONYM_KEY,
    dataKey: e.DATA_KEY,
    keysDir: e.KEYS_DIR,
    retentionDays: e.RETENTION_DAYS,
    noteRetentionDays: e.NOTE_RETENTION_DAYS,
    defaultLocale: e.DEFAULT_LOCALE,
    dialogsDir: e.DIALOGS_DIR,
    modulesPath: e.MODULES_PATH,
    publicDir: e.PUBLIC_DIR,
    escalation: { name: e.ESCALATION_CONTACT_NAME, phone: e.ESCALATION_CONTACT_PHONE, url: e.ESCALATION_CONTACT_URL },
    publicUrl: e.PUBLIC_URL,
    slack,
    teams,
    organisers: e.ORGANISERS ?? [],
    organiserApiToken: e.ORGANISER_API_TOKEN,
    quietHours: parseQuietHours(e.QUIET_HOURS) ?? 'off',
    timeZone: e.TIME_ZONE,
    delivery: {
      maxAttempts: e.BROADCAST_MAX_ATTEMPTS,
      concurrency: e.BROADCAST_CONCURRENCY,
      retentionDays: e.DELIVERY_RETENTION_DAYS,
    },
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    sessions: {
      reminderOffsetsMs: parseOffsets(e.SESSION_REMINDERS) ?? [],
      offerHours: e.SESSION_OFFER_HOURS,
      retentionDays: e.SESSION_RETENTION_DAYS,
      calendarLinkHours: e.CALENDAR_LINK_HOURS,
    },
    insights: { k: e.INSIGHTS_K, followupWeeks: e.FOLLOWUP_WEEKS },
  };
  return deepFreeze(config);
}

/** What building the app packages needs: the app id and the public address, nothing secret. */
export interface PackagingConfig {
  appId?: string;
  publicUrl?: string;
  modulesPath: string;
  dialogsDir: string;
}

/**
 * Read only what the Teams package needs (MICROSOFT_APP_ID, PUBLIC_URL), validated as the server would, without
 * demanding the server's secrets (a package holds no password). Throws a ConfigError naming the key, never its value.
 */
export function loadPackagingConfig(env: Env = { ...readDotEnv(), ...process.env }): PackagingConfig {
  const schema = EnvSchema.pick({ MICROSOFT_APP_ID: true, PUBLIC_URL: true, MODULES_PATH: true, DIALOGS_DIR: true });
  const input = withoutBlanks(env);
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, input));
  return {
    appId: parsed.data.MICROSOFT_APP_ID,
    publicUrl: parsed.data.PUBLIC_URL,
    modulesPath: parsed.data.MODULES_PATH,
    dialogsDir: parsed.data.DIALOGS_DIR,
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
