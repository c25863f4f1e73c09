import type { Logger } from 'pino';
import { createLogger, type LoggerConfig } from '../../src/logger.js';

/** A real root logger (same redaction as production) whose lines stay in memory. */
export interface CapturedLogger {
  log: Logger;
  /** Every line written so far, parsed. */
  lines(): Record<string, unknown>[];
  /** Everything written so far as raw text: search it for canaries. */
  text(): string;
  clear(): void;
}

export function captureLogger(options: Partial<Pick<LoggerConfig, 'level' | 'version'>> = {}): CapturedLogger {
  const chunks: string[] = [];
  const log = createLogger({
    level: options.level ?? 'trace',
    version: options.version,
    destination: { write: (chunk: string) => void chunks.push(chunk) },
  });
  return {
    log,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => chunks.join(''),
    clear: () => void chunks.splice(0),
  };
}
