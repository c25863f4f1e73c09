/**
 * From check-in answers to a diagnosis: pure, deterministic, never throws. Unknown ids are ignored, so answers
 * of an older dialog version or hand-made test data still give a valid result. The method and its limits are
 * described in docs/method.md.
 */
import type { Answer } from '../../dialog/types.js';
import {
  CHANNELS,
  GAME_CHANGERS,
  PERSON_ROLES,
  ROLES,
  SAFETY_STAGE,
  SIGNAL_STAGE,
  VOICES,
  type Certainty,
  type Diagnosis,
  type Flag,
  type GlaslEstimate,
  type GlaslPhase,
  type PersonRole,
  type Position,
  type Reason,
  type Track,
} from './model.js';

const DONT_KNOW = 'dontKnow';
const POLARISATION_ROLES: readonly string[] = ['pushers', 'joiners', 'scapegoat'];

/** Glasl's phase of a stage: 1-3 win-win, 4-6 win-lose, 7-9 lose-lose. */
export function phaseOf(stage: number): GlaslPhase {
  return stage <= 3 ? 'win-win' : stage <= 6 ? 'win-lose' : 'lose-lose';
}

/** Certainty from doubt points: 0 high, 1-2 medium, 3 or more low. */
export function certaintyOf(doubt: number): Certainty {
  return doubt <= 0 ? 'high' : doubt <= 2 ? 'medium' : 'low';
}

function answerOf(answers: Readonly<Record<string, Answer>>, step: string): Answer | undefined {
  return Object.hasOwn(answers, step) ? answers[step] : undefined;
}

/** The choice ids of an answer (a single choice becomes a list of one); anything else is empty. */
function idsOf(answer: Answer | undefined): string[] {
  if (typeof answer === 'string') return [answer];
  if (Array.isArray(answer)) return answer.filter((id): id is string => typeof id === 'string');
  return [];
}

/** The ids of `all` that occur in `ids`, in the order of `all` (deduplicated, unknown ids dropped). */
function pick<T extends string>(all: readonly T[], ids: readonly string[]): T[] {
  return all.filter((id) => ids.includes(id));
}

function positionOf(ids: readonly string[]): Position {
  // "Above" wins: the bridge-builder warning matters most, even if the person also ticked another place.
  if (ids.includes('meAbove')) return 'above';
  if (ids.includes('meSide')) return 'side';
  if (ids.includes('meMiddle')) return 'middle';
  return 'unknown';
}

function trackOf(
  kind: string | undefined,
  hasConflictSignals: boolean,
  hasPolarisationRoles: boolean,
): { track: Track; key: string } {
  if (kind === 'conflict' || kind === 'polarisation' || kind === 'both')
    return { track: kind, key: `result.why.track.${kind}` };
  // Not known: infer from what was seen, and say so.
  if (hasConflictSignals && hasPolarisationRoles) return { track: 'both', key: 'result.why.track.inferredBoth' };
  if (hasConflictSignals) return { track: 'conflict', key: 'result.why.track.inferredConflict' };
  if (hasPolarisationRoles) return { track: 'polarisation', key: 'result.why.track.inferredPolarisation' };
  return { track: 'unclear', key: 'result.why.track.unclear' };
}

/** Diagnose one person's check-in answers (see docs/method.md). */
export function diagnose(answers: Readonly<Record<string, Answer>>): Diagnosis {
  const reasons: Reason[] = [];
  const choice = (step: string): string | undefined => {
    const answer = answerOf(answers, step);
    return typeof answer === 'string' ? answer : undefined;
  };
  const list = (step: string): string[] => idsOf(answerOf(answers, step));

  const personRoleId = choice('role');
  const personRole: PersonRole = PERSON_ROLES.find((r) => r === personRoleId && r !== 'unknown') ?? 'unknown';
  const kind = choice('kind');
  const signals = list('signals');
  const safety = choice('safety');
  const roleIds = list('roles');
  const voiceIds = list('voices');
  const participation = list('participation');
  const gameChangersAnswer = answerOf(answers, 'gameChangers');
  const gameChangerIds = idsOf(gameChangersAnswer);

  const isSafety = safety === 'threats' || safety === 'damage';
  const roles = pick(ROLES, roleIds);
  const position = positionOf(roleIds);
  const signalIds = signals.filter((id) => SIGNAL_STAGE[id] !== undefined);
  const signalStages = signalIds.map((id) => SIGNAL_STAGE[id] ?? 0);

  // Doubt: every "weet niet", a one-sided view, a position that contradicts itself, signals far apart.
  const dontKnows =
    [kind, safety === 'unsure' ? DONT_KNOW : undefined].filter((v) => v === DONT_KNOW).length +
    [signals, roleIds, voiceIds, participation, gameChangerIds].filter((ids) => ids.includes(DONT_KNOW)).length +
    (kind === undefined ? 1 : 0);
  const meChoices = roleIds.filter((id) => id === 'meSide' || id === 'meMiddle' || id === 'meAbove').length;
  const isOneSided = position === 'side';
  const isMixedPosition = meChoices > 1;
  const isSpread = signalStages.length > 1 && Math.max(...signalStages) - Math.min(...signalStages) >= 3;
  const doubt = dontKnows + Number(isOneSided) + Number(isMixedPosition) + Number(isSpread);
  const certainty = certaintyOf(doubt);

  // Track.
  const { track, key: trackKey } = trackOf(
    kind,
    signalStages.length > 0,
    roles.some((r) => POLARISATION_ROLES.includes(r)),
  );
  reasons.push({ finding: 'track', key: trackKey, ...(kind ? { choices: { step: 'kind', ids: [kind] } } : {}) });

  // Glasl: the highest stage signalled, a likely range, lower bound widened when the certainty is low.
  const safetyStage = safety !== undefined ? SAFETY_STAGE[safety] : undefined;
  const stages = safetyStage !== undefined ? [...signalStages, safetyStage] : signalStages;
  let glasl: GlaslEstimate | null = null;
  if (stages.length > 0) {
    const highest = Math.max(...stages);
    const from = certainty === 'low' ? Math.max(1, highest - 1) : highest;
    const to = isSafety ? 9 : Math.min(9, highest + 1);
    glasl = { phase: phaseOf(highest), stage: highest, from, to };
    if (signalStages.length > 0 && Math.max(...signalStages) === highest) {
      const top = signalIds.filter((id) => SIGNAL_STAGE[id] === highest);
      reasons.push({
        finding: 'glasl',
        key: 'result.why.glasl',
        vars: { stage: highest },
        choices: { step: 'signals', ids: top },
      });
    } else {
      reasons.push({
        finding: 'glasl',
        key: 'result.why.glaslSafety',
        vars: { stage: highest },
        choices: { step: 'safety', ids: [safety ?? ''] },
      });
    }
  } else if (signals.includes(DONT_KNOW)) {
    reasons.push({ finding: 'glasl', key: 'result.why.glaslUnknown' });
  }

  // Certainty.
  if (doubt === 0) reasons.push({ finding: 'certainty', key: 'result.why.certainty.clear' });
  if (dontKnows > 0)
    reasons.push({ finding: 'certainty', key: 'result.why.certainty.dontKnow', vars: { count: dontKnows } });
  if (isOneSided) reasons.push({ finding: 'certainty', key: 'result.why.certainty.oneSided' });
  if (isMixedPosition) reasons.push({ finding: 'certainty', key: 'result.why.certainty.mixedPosition' });
  if (isSpread) reasons.push({ finding: 'certainty', key: 'result.why.certainty.spread' });

  // Brandsma: roles in play and the bridge-builder trap.
  if (roles.length > 0)
    reasons.push({ finding: 'roles', key: 'result.why.roles', choices: { step: 'roles', ids: roles } });
  if (position === 'above')
    reasons.push({
      finding: 'bridgeBuilder',
      key: 'result.why.bridgeBuilder',
      choices: { step: 'roles', ids: ['meAbove'] },
    });

  // Missing voices and participation.
  const missingVoices = voiceIds.includes('none') || voiceIds.includes(DONT_KNOW) ? [] : pick(VOICES, voiceIds);
  if (missingVoices.length > 0)
    reasons.push({
      finding: 'missingVoices',
      key: 'result.why.missingVoices',
      choices: { step: 'voices', ids: missingVoices },
    });
  const channels = pick(CHANNELS, participation);
  const isMismatch = participation.includes('lessThanPromised');
  const isUnclear = participation.includes('unclearPromise');
  const isNotInvolved = participation.includes('notYet');
  if (isMismatch)
    reasons.push({
      finding: 'participation',
      key: 'result.why.participationMismatch',
      choices: { step: 'participation', ids: ['lessThanPromised'] },
    });
  if (isUnclear)
    reasons.push({
      finding: 'participation',
      key: 'result.why.participationUnclear',
      choices: { step: 'participation', ids: ['unclearPromise'] },
    });
  if (isNotInvolved)
    reasons.push({
      finding: 'participation',
      key: 'result.why.residentsNotInvolved',
      choices: { step: 'participation', ids: ['notYet'] },
    });

  // Game changers: only when the question was asked (an array answer).
  let gameChangersMissing: Diagnosis['gameChangersMissing'] = [];
  if (Array.isArray(gameChangersAnswer)) {
    if (gameChangerIds.includes(DONT_KNOW)) {
      gameChangersMissing = [...GAME_CHANGERS];
      reasons.push({ finding: 'gameChangers', key: 'result.why.gameChangersUnknown' });
    } else {
      gameChangersMissing = GAME_CHANGERS.filter((id) => !gameChangerIds.includes(id));
      reasons.push(
        gameChangersMissing.length > 0
          ? {
              finding: 'gameChangers',
              key: 'result.why.gameChangersMissing',
              vars: { count: gameChangersMissing.length },
              choices: { step: 'gameChangers', ids: gameChangersMissing },
            }
          : { finding: 'gameChangers', key: 'result.why.gameChangersAll' },
      );
    }
  }

  // Safety last in the list, first in weight: the module rules and the feature act on the flag.
  if (isSafety)
    reasons.push({ finding: 'safety', key: 'result.why.safety', choices: { step: 'safety', ids: [safety ?? ''] } });
  else if (safety === 'unsure') reasons.push({ finding: 'safety', key: 'result.why.safetyUnsure' });

  const flags: Record<Flag, boolean> = {
    safety: isSafety,
    safetyUnsure: safety === 'unsure',
    bridgeBuilder: position === 'above',
    participationMismatch: isMismatch,
    participationUnclear: isUnclear,
    residentsNotInvolved: isNotInvolved,
    scapegoat: roles.includes('scapegoat'),
  };

  return {
    track,
    personRole,
    glasl,
    certainty,
    roles,
    position,
    missingVoices,
    channels,
    gameChangersMissing,
    flags,
    reasons,
  };
}
