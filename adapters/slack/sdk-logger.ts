import { LogLevel, type Logger as SlackLogger } from '@slack/web-api';
import type { Logger } from '../../src/core/index.js';

/**
 * A logger for Slack's SDKs. They log free-form strings that can hold payloads or URLs with tokens, so only the
 * fact that something happened is kept, under our own logger, so no payload or token reaches the log.
 */
export function sdkLogger(log: Logger, name: string): SlackLogger {
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: () => log.warn({ sdk: name }, 'slack sdk warning'),
    error: () => log.warn({ sdk: name }, 'slack sdk error'),
    setLevel: () => undefined,
    getLevel: () => LogLevel.WARN,
    setName: () => undefined,
  };
}
