/**
 * The one table of features. A new feature is a folder under src/features/ with a factory that returns a Feature
 * (its commands, button verbs, dialogs and what it keeps about a person) — and one line here. Order matters only
 * where two features could answer the same free text (`onMessage`): the first one wins.
 */
import type { Feature } from '../core/context.js';
import type { FeatureDeps } from '../core/feature-deps.js';
import { createAnnouncementsFeature } from './announcements/feature.js';
import { createBasicsFeature } from './basics/basics.js';
import { createCheckinFeature } from './checkin/feature.js';
import { loadModuleCatalogue } from './checkin/modules.js';
import { createInsightsFeature } from './insights/feature.js';
import { createOrganisersFeature } from './organisers/feature.js';
import { createNudgesFeature } from './nudges/feature.js';
import { createConsent } from './privacy/consent.js';
import { createPrivacyFeature } from './privacy/privacy.js';
import { createSessionsFeature } from './sessions/feature.js';
import { createSubscriptionsFeature } from './subscriptions/feature.js';

/** The product's features. Data errors (the module catalogue) stop start-up with the file and path named. */
export function createFeatures(deps: FeatureDeps): Feature[] {
  // Read once: the check-in suggests its modules, sessions are planned for them.
  const catalogue = loadModuleCatalogue(deps.config.modulesPath);
  // Insights count each check-in result shown, anonymously (the check-in hands it over).
  const insights = createInsightsFeature(deps, catalogue);
  // Consent before the check-in: the check-in asks for it at its start, the privacy feature keeps or withdraws it.
  const consent = createConsent(deps.sealer);
  return [
    createCheckinFeature({ catalogue, consent, sealer: deps.sealer, onResultShown: insights.recordResult }),
    createBasicsFeature(),
    createPrivacyFeature(consent, deps),
    createOrganisersFeature(deps),
    createSubscriptionsFeature(deps),
    createAnnouncementsFeature(deps),
    createSessionsFeature(deps, catalogue),
    createNudgesFeature(deps),
    insights,
  ];
}
