import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { safeError } from './errors.js';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger } from 'pino';

/** Censor text for redacted values. */
export const REDACTED = '[redacted]';

/**
 * A safety net only: answers, free text, names, platform ids and tokens must never be handed to the logger at all.
 * Explicit paths keep redaction cheap and predictable; a few one-level wildcards catch tokens under any parent.
 */
export const REDACT_PATHS: readonly string[] = [
  // secrets and tokens
  'token',
  'accessToken',
  'botToken',
  'appToken',
  'userToken',
  'refreshToken',
  'idToken',
  'apiKey',
  'secret',
  'clientSecret',
  'signingSecret',
  'stateSecret',
  'password',
  'appPassword',
  'pseudonymKey',
  'authorization',
  'cookie',
  'headers.authorization',
  'headers.cookie',
  'headers["x-slack-signature"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-slack-signature"]',
  'res.headers["set-cookie"]',
  'config.pseudonymKey',
  'config.slack.signingSecret',
  'config.slack.botToken',
  'config.slack.appToken',
  'config.slack.oauth.clientSecret',
  'config.slack.oauth.stateSecret',
  'config.teams.appPassword',
  'slack.signingSecret',
  'slack.botToken',
  'slack.appToken',
  'teams.appPassword',
  // (errors: the `err` serializer keeps class, code and frames only, so SDK request headers never get in)
  // raw payloads
  'body',
  'rawBody',
  'payload',
  'req.body',
  // what people say and choose
  'text',
  'answer',
  'answers',
  'note',
  'notes',
  'freeText',
  'values',
  'event.text',
  'event.action.text',
  'event.action.values',
  'action.text',
  'action.values',
  'message.text',
  'activity.text',
  'activity.value',
  'activity.from.name',
  'state.answers',
  'state.notes',
  // who people are
  'name',
  'userName',
  'realName',
  'displayName',
  'firstName',
  'lastName',
  'email',
  'userId',
  'user.name',
  'user.realName',
  'user.displayName',
  'user.userId',
  'event.user.userId',
  'from.name',
  // platform ids in every shape the adapters and SDKs use: Slack user, team and channel ids, Teams AAD object ids,
  // conversation ids, and serviceUrl (its path can carry a tenant); a whole `user` or `from` object goes at once
  'user',
  'user.id',
  'users',
  'from',
  'from.id',
  'from.aadObjectId',
  'recipient',
  'recipient.id',
  'aadObjectId',
  'teamId',
  'team_id',
  'team',
  'team.id',
  'enterpriseId',
  'enterprise_id',
  'channel',
  'channelId',
  'channel_id',
  'channel.id',
  'conversation',
  'conversationId',
  'conversation.id',
  'conversationReference',
  'event.user',
  'event.conversation',
  'activity.from',
  'activity.recipient',
  'activity.conversation',
  'activity.channelData',
  'activity.serviceUrl',
  'serviceUrl',
  'url',
  'mail',
  'e-mail',
  'userPrincipalName',
  // a token under any parent (`installation.bot.token`, `client.token`), and Bearer headers however nested
  '*.token',
  '*.botToken',
  '*.accessToken',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'headers.Authorization',
];

export interface LoggerConfig {
  level: Config['logLevel'];
  /** Human-readable output via pino-pretty (a devDependency); falls back to JSON when it is not installed. */
  pretty?: boolean;
  /** Where JSON lines go; standard output when absent. */
  destination?: DestinationStream;
  /** Overrides the version read from package.json. */
  version?: string;
}

let cachedVersion: string | undefined;

/** Bubbelbreker's version from package.json (src/ when run with tsx, dist/src/ when built). */
export function appVersion(): string {
  if (cachedVersion) return cachedVersion;
  cachedVersion = 'unknown';
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'bubbelbreker' && pkg.version) {
        cachedVersion = pkg.version;
        break;
      }
    } catch {
      // not at this level; try the next
    }
  }
  return cachedVersion;
}

type PrettyFactory = (options: Record<string, unknown>) => DestinationStream;

function loadPretty(): PrettyFactory | undefined {
  try {
    // Loaded on request only: pino-pretty is a devDependency and absent after `npm ci --omit=dev`.
    return createRequire(import.meta.url)('pino-pretty') as PrettyFactory;
  } catch {
    return undefined;
  }
}

/** The one root logger; components take `log.child({ component })`, events `log.child({ platform, eventId })`. */
export function createLogger(config: LoggerConfig): Logger {
  const options = {
    level: config.level,
    base: { service: 'bubbelbreker', version: config.version ?? appVersion() },
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    // pino's own err serializer copies messages and every field of an error; ours keeps class, code and frames.
    serializers: { err: safeError },
  };
  if (config.pretty) {
    const pretty = loadPretty();
    if (pretty) {
      // Colour only on a terminal; a DestinationStream may be a tty stream (process.stderr) without saying so in its type.
      const stream = pretty({
        colorize:
          config.destination === undefined
            ? process.stdout.isTTY
            : (config.destination as { isTTY?: boolean }).isTTY === true,
        destination: config.destination ?? 1,
        sync: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,service,version',
      });
      return pino(options, stream);
    }
    const log = config.destination ? pino(options, config.destination) : pino(options);
    log.warn('pino-pretty is not installed; logging JSON');
    return log;
  }
  return config.destination ? pino(options, config.destination) : pino(options);
}

/** A logger that writes nothing (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * The last line of defence for errors nobody caught: log the error's class, code and stack frames only (its message
 * may echo what a person typed), then stop the process as Node would. Installed once per process.
 */
export function installProcessHandlers(log: Logger, proc: NodeJS.Process = process): void {
  if ((proc as { bubbelbrekerHandlers?: boolean }).bubbelbrekerHandlers) return;
  (proc as { bubbelbrekerHandlers?: boolean }).bubbelbrekerHandlers = true;
  proc.on('unhandledRejection', (reason) => {
    log.fatal({ error: contentFree(reason) }, 'unhandled promise rejection');
    // As Node does without a handler: the process stops (its work is recorded; the next start finishes it).
    proc.exit(1);
  });
  proc.on('uncaughtExceptionMonitor', (error, origin) => {
    log.fatal({ error: contentFree(error), origin }, 'uncaught exception');
  });
}

/** Class, code and frames of an error; never its message, not even a BotError's. */
function contentFree(error: unknown): Record<string, unknown> {
  const facts = safeError(error);
  const strip = (node: Record<string, unknown>): Record<string, unknown> => {
    const { message: _message, cause, ...rest } = node;
    return cause && typeof cause === 'object' ? { ...rest, cause: strip(cause as Record<string, unknown>) } : rest;
  };
  return strip(facts);
}
