/**
 * From check-in answers to a diagnosis: pure, deterministic, never throws. Unknown ids are ignored, so answers
 * of an older dialog version or hand-made test data still give a valid result. Every rule names its public
 * source (model.ts SOURCES); docs/method.md explains the rules for trainers and lists the case library.
 */
import type { Answer } from '../../dialog/types.js';
import {
  FLAGS,
  GAME_CHANGERS,
  ROLES,
  RUNGS,
  SAFETY_INCIDENTS,
  SAFETY_STAGE,
  SIGNAL_STAGE,
  VOICES,
  type Certainty,
  type Diagnosis,
  type Flag,
  type GlaslEstimate,
  type GlaslPhase,
  type Position,
  type Reason,
  type Rung,
  type Track,
} from './model.js';

const DONT_KNOW = 'dontKnow';
/** Roles that only exist where us-versus-them thinking is at work (Brandsma, SOURCES.brandsmaRoles). */
const POLARISATION_ROLES: readonly string[] = ['pushers', 'joiners', 'scapegoat'];
const ME_CHOICES = ['meSide', 'meMiddle', 'meAbove'] as const;
/** The steps a person answers; the optional note is not counted. */
const QUESTION_STEPS = [
  'kind',
  'signals',
  'safety',
  'position',
  'roles',
  'participation',
  'delivered',
  'voices',
  'gameChangers',
] as const;

/** Glasl's phase of a stage: 1-3 win-win, 4-6 win-lose, 7-9 lose-lose (SOURCES.glaslPhases). */
export function phaseOf(stage: number): GlaslPhase {
  return stage <= 3 ? 'win-win' : stage <= 6 ? 'win-lose' : 'lose-lose';
}

/** Certainty from doubt points: 0 high, 1-2 medium, 3 or more low (a reasoned choice; see docs/method.md). */
export function certaintyOf(doubt: number): Certainty {
  return doubt <= 0 ? 'high' : doubt <= 2 ? 'medium' : 'low';
}

/** "Mostly weet niet": at least 3 unknown answers, and at least half of the questions answered. */
export function isMostlyUnknown(unknowns: number, answered: number): boolean {
  return unknowns >= 3 && unknowns * 2 >= answered;
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

const rungOf = (id: string | undefined): Rung | null => RUNGS.find((r) => r === id) ?? null;

function trackOf(kind: string | undefined, hasStageSignals: boolean, hasPolarisationSigns: boolean) {
  // Brandsma: a conflict (parties, a place, a time) is not polarisation (identity talk around it).
  if (kind === 'conflict' || kind === 'polarisation' || kind === 'both')
    return { track: kind as Track, key: `result.why.track.${kind}` };
  // Not known: infer from what was seen, and say so.
  if (hasStageSignals && hasPolarisationSigns) return { track: 'both' as Track, key: 'result.why.track.inferredBoth' };
  if (hasStageSignals) return { track: 'conflict' as Track, key: 'result.why.track.inferredConflict' };
  if (hasPolarisationSigns) return { track: 'polarisation' as Track, key: 'result.why.track.inferredPolarisation' };
  return { track: 'unclear' as Track, key: 'result.why.track.unclear' };
}

/** Diagnose one person's check-in answers (see docs/method.md). */
export function diagnose(answers: Readonly<Record<string, Answer>>): Diagnosis {
  const reasons: Reason[] = [];
  const list = (step: string): string[] => idsOf(answerOf(answers, step));
  const single = (step: string): string | undefined => list(step)[0];
  /** A step answered "weet niet": treated exactly as not asked, except that it lowers the certainty. */
  const isUnknown = (step: string): boolean =>
    step === 'safety' ? list(step).includes('unsure') : list(step).includes(DONT_KNOW);
  const known = (step: string): string[] => (isUnknown(step) ? [] : list(step));

  const kind = known('kind')[0];
  const signals = known('signals');
  const safety = list('safety');
  const roleIds = known('roles');
  const meIds = [...known('position'), ...roleIds].filter((id) => (ME_CHOICES as readonly string[]).includes(id));
  const participation = known('participation');
  const isInternal = participation.includes('internal');
  // A row inside the organisation has no residents to involve: the resident questions do not apply.
  const promised = isInternal ? null : rungOf(single('participation'));
  const delivered = promised && !isUnknown('delivered') ? rungOf(single('delivered')) : null;
  const voiceIds = isInternal ? [] : known('voices');
  const gameChangersAnswered = Array.isArray(answerOf(answers, 'gameChangers')) && !isUnknown('gameChangers');
  const gameChangerIds = known('gameChangers');

  const incidents = SAFETY_INCIDENTS.filter((id) => safety.includes(id));
  const isSafety = incidents.length > 0;
  const roles = pick(ROLES, roleIds);
  const position = positionOf(meIds);
  const signalIds = signals.filter((id) => SIGNAL_STAGE[id] !== undefined);
  const signalStages = signalIds.map((id) => SIGNAL_STAGE[id] ?? 0);
  const isVertical = signals.includes('vertical');

  // Glasl: the highest stage signalled; the stages build on each other, so lower signals beside it are normal.
  const safetyStages = incidents.map((id) => SAFETY_STAGE[id] ?? 6);
  const stages = [...signalStages, ...safetyStages];
  const highest = stages.length > 0 ? Math.max(...stages) : 0;

  // Doubt (docs/method.md, rule 3): each "weet niet", a one-sided view, answers that contradict each other, and
  // a missing Glasl estimate. Signals from several stages are no doubt.
  const unknowns = QUESTION_STEPS.filter(isUnknown).length;
  const answered = QUESTION_STEPS.filter((s) => {
    const a = answerOf(answers, s);
    return a !== undefined && a !== null;
  }).length;
  const isOneSided = position === 'side';
  const isMixedPosition = new Set(meIds).size > 1;
  // Glasl stage 1 ("they still talk about the matter") does not go with stage 5-6 (public smearing, threats).
  const talkingAndAttacks = signals.includes('talking') && signalStages.some((s) => s >= 5);
  // Standing above the parties contradicts "we stand in the middle, not above it" (Brandsma's position).
  const aboveButMiddle = position === 'above' && gameChangerIds.includes('position');
  const noEstimate = highest === 0 && !isUnknown('signals');
  const doubt =
    unknowns +
    Number(isOneSided) +
    Number(isMixedPosition) +
    Number(talkingAndAttacks) +
    Number(aboveButMiddle) +
    Number(noEstimate);
  const certainty = certaintyOf(doubt);
  const mostlyUnknown = isMostlyUnknown(unknowns, answered);

  // Track.
  const { track, key: trackKey } = trackOf(
    kind,
    signalStages.length > 0,
    isVertical || roles.some((r) => POLARISATION_ROLES.includes(r)),
  );
  reasons.push({ finding: 'track', key: trackKey, ...(kind ? { choices: { step: 'kind', ids: [kind] } } : {}) });

  // Glasl (SOURCES.glasl, SOURCES.glaslSignals): a likely range one stage up (what one person does not see),
  // one lower too when the certainty is low; with a safety incident up to 9.
  let glasl: GlaslEstimate | null = null;
  if (highest > 0) {
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
      const top = incidents.filter((id) => SAFETY_STAGE[id] === highest);
      reasons.push({
        finding: 'glasl',
        key: 'result.why.glaslSafety',
        vars: { stage: highest },
        choices: { step: 'safety', ids: top },
      });
    }
    // The intervention that fits the range (INTERVENTIONS, SOURCES.glaslInterventions).
    reasons.push({ finding: 'intervention', key: 'result.why.intervention', vars: { from, to } });
  }

  // Certainty.
  if (doubt === 0) reasons.push({ finding: 'certainty', key: 'result.why.certainty.clear' });
  if (unknowns > 0)
    reasons.push({ finding: 'certainty', key: 'result.why.certainty.dontKnow', vars: { count: unknowns } });
  if (isOneSided) reasons.push({ finding: 'certainty', key: 'result.why.certainty.oneSided' });
  if (isMixedPosition) reasons.push({ finding: 'certainty', key: 'result.why.certainty.mixedPosition' });
  if (talkingAndAttacks) reasons.push({ finding: 'certainty', key: 'result.why.certainty.talkingAndAttacks' });
  if (aboveButMiddle) reasons.push({ finding: 'certainty', key: 'result.why.certainty.aboveButMiddle' });
  if (noEstimate) reasons.push({ finding: 'certainty', key: 'result.why.certainty.noEstimate' });

  // Brandsma: roles in play (SOURCES.brandsmaRoles) and the bridge-builder trap, whether the person stands above
  // the parties or sees someone (often the municipality) do so (SOURCES.bridgeBuilderTrap). The trap belongs to
  // us-versus-them thinking: in a pure conflict a neutral third party above the parties is what Glasl prescribes
  // (SOURCES.glaslInterventions), so there the result says when that works instead.
  if (roles.length > 0)
    reasons.push({ finding: 'roles', key: 'result.why.roles', choices: { step: 'roles', ids: roles } });
  const trapIds = pick(['bridgeBuilder', 'meAbove'], roleIds);
  const isTrap = kind !== 'conflict' && (position === 'above' || trapIds.length > 0);
  if (isTrap) {
    const choices = trapIds.length > 0 ? { step: 'roles', ids: trapIds } : { step: 'position', ids: ['meAbove'] };
    reasons.push({ finding: 'bridgeBuilder', key: 'result.why.bridgeBuilder', choices });
  } else if (position === 'above')
    reasons.push({
      finding: 'position',
      key: 'result.why.aboveInConflict',
      choices: { step: 'position', ids: ['meAbove'] },
    });

  // Vertical polarisation: residents against the government (SOURCES.kinds, SOURCES.kisVertical).
  if (isVertical)
    reasons.push({ finding: 'vertical', key: 'result.why.vertical', choices: { step: 'signals', ids: ['vertical'] } });

  // Missing voices and the participatieladder (SOURCES.participationLadder); nothing of this inside the organisation.
  const missingVoices = voiceIds.includes('none') ? [] : pick(VOICES, voiceIds);
  if (missingVoices.length > 0)
    reasons.push({
      finding: 'missingVoices',
      key: 'result.why.missingVoices',
      choices: { step: 'voices', ids: missingVoices },
    });
  const isMismatch = promised !== null && delivered !== null && RUNGS.indexOf(delivered) < RUNGS.indexOf(promised);
  const isUnclear = !isInternal && participation.includes('unclear');
  const isNotInvolved = !isInternal && participation.includes('notYet');
  // The rungs themselves are named from `participation` (result.ts), so the reason carries no text.
  if (promised && delivered)
    reasons.push({
      finding: 'participation',
      key: isMismatch ? 'result.why.participationGap' : 'result.why.participationKept',
    });
  if (isUnclear)
    reasons.push({
      finding: 'participation',
      key: 'result.why.participationUnclear',
      choices: { step: 'participation', ids: ['unclear'] },
    });
  if (isNotInvolved)
    reasons.push({
      finding: 'participation',
      key: 'result.why.residentsNotInvolved',
      choices: { step: 'participation', ids: ['notYet'] },
    });

  // Game changers (SOURCES.brandsmaGameChangers): only when asked and known; "none" means all four are not used.
  const gameChangersMissing = gameChangersAnswered ? GAME_CHANGERS.filter((id) => !gameChangerIds.includes(id)) : [];
  if (gameChangersAnswered)
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

  // Safety last in the list, first in weight: the module rules and the feature act on the flag. Not knowing
  // whether it is safe is itself a reason to check today, so "weet ik niet zeker" is the one unknown that speaks.
  if (isSafety)
    reasons.push({ finding: 'safety', key: 'result.why.safety', choices: { step: 'safety', ids: incidents } });
  else if (isUnknown('safety')) reasons.push({ finding: 'safety', key: 'result.why.safetyUnsure' });

  const flags = Object.fromEntries(FLAGS.map((f) => [f, false])) as Record<Flag, boolean>;
  Object.assign(flags, {
    safety: isSafety,
    safetyUnsure: !isSafety && isUnknown('safety'),
    doxxing: incidents.includes('doxxing'),
    bridgeBuilder: isTrap,
    participationMismatch: isMismatch,
    participationUnclear: isUnclear,
    residentsNotInvolved: isNotInvolved,
    internal: isInternal,
    scapegoat: roles.includes('scapegoat'),
    vertical: isVertical,
    mostlyUnknown,
  });

  return {
    track,
    glasl,
    certainty,
    roles,
    position,
    missingVoices,
    participation: { promised, delivered },
    gameChangersMissing,
    unknowns,
    flags,
    reasons,
  };
}
