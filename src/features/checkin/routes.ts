/**
 * The check-in's buttons as routes (feature `checkin`): the result's keep/forget/restart/show and "was this
 * useful?", "more about a module", and the learn cards' topics. The verbs and their data schemas are in feature.ts.
 */
import { routeTo } from '../../core/context.js';
import type { Route } from '../../message/types.js';

export const CHECKIN_FEATURE = 'checkin';

export const checkinRoutes = {
  keep: (resultId: string): Route => routeTo(CHECKIN_FEATURE, 'keep', { id: resultId }),
  forget: (resultId: string): Route => routeTo(CHECKIN_FEATURE, 'forget', { id: resultId }),
  show: (resultId: string): Route => routeTo(CHECKIN_FEATURE, 'show', { id: resultId }),
  restart: (): Route => routeTo(CHECKIN_FEATURE, 'restart'),
  /** The note seems to name someone: keep it as it is, write it again, or delete it. */
  noteKeep: (resultId: string): Route => routeTo(CHECKIN_FEATURE, 'noteKeep', { id: resultId }),
  noteEdit: (resultId: string): Route => routeTo(CHECKIN_FEATURE, 'noteEdit', { id: resultId }),
  noteRemove: (resultId: string): Route => routeTo(CHECKIN_FEATURE, 'noteRemove', { id: resultId }),
  useful: (resultId: string, vote: string): Route => routeTo(CHECKIN_FEATURE, 'useful', { id: resultId, vote }),
  module: (moduleId: string): Route => routeTo(CHECKIN_FEATURE, 'module', { id: moduleId }),
  /** Show (`open`) or hide the explanation layer of a result, in place. */
  explain: (resultId: string, open: boolean): Route =>
    routeTo(CHECKIN_FEATURE, 'explain', { id: resultId, open: open ? '1' : '0' }),
  /** A learn topic, or `list` for the list of topics and modules. */
  learn: (topic: string): Route => routeTo(CHECKIN_FEATURE, 'learn', { topic }),
} as const;
