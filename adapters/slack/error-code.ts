import { toBotError } from '../../src/core/index.js';
import { slackErrorCode } from './errors.js';

/** A loggable code for any error: our BotError code, else Slack's error code. Never a message. */
export function errorCode(error: unknown): string {
  const bot = toBotError(error);
  return bot.code === 'UNKNOWN'
    ? slackErrorCode(error)
    : `${bot.code}${bot.cause ? `:${slackErrorCode(bot.cause)}` : ''}`;
}
