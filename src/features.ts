import type { Logger } from 'pino';
import { createCheckinFeature } from './features/checkin/feature.js';
import { loadModuleCatalogue } from './features/checkin/modules.js';
import type { Config } from './config.js';
import type { Feature } from './core/context.js';

export interface FeatureDeps {
  config: Config;
  log: Logger;
}

/** The product features, in the order the bot asks them. Data errors (the module catalogue) stop start-up. */
export function createFeatures(deps: FeatureDeps): Feature[] {
  return [createCheckinFeature({ catalogue: loadModuleCatalogue(deps.config.modulesPath) })];
}
