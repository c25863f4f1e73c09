import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Feature } from './core/context.js';

export interface FeatureDeps {
  config: Config;
  log: Logger;
}

/** The product features, in the order the bot asks them. */
export function createFeatures(_deps: FeatureDeps): Feature[] {
  return [];
}
