/**
 * Reading check-in results stored by an earlier version of the method: they stay listable and showable
 * (`mijn resultaten`) without texts or claims the method no longer makes.
 */
import { FLAGS, type Diagnosis, type Flag, type Reason } from './model.js';

/** The reason key round 1 gave for "weet niet" on the game changers, when it still counted all four as missing. */
const LEGACY_GAME_CHANGERS_UNKNOWN = 'result.why.gameChangersUnknown';
/** Reasons of round 1 that the method no longer gives (docs/method.md, design round 2). */
const RETIRED_REASON_KEYS: ReadonlySet<string> = new Set([
  LEGACY_GAME_CHANGERS_UNKNOWN,
  'result.why.glaslUnknown',
  'result.why.certainty.spread',
  'result.why.participationMismatch',
]);
/** Round-1 choice ids that were renamed, per step. */
const RENAMED_CHOICES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  participation: { unclearPromise: 'unclear' },
};

function readReasons(stored: unknown): Reason[] {
  if (!Array.isArray(stored)) return [];
  return stored
    .filter((r): r is Reason => typeof r === 'object' && r !== null && typeof r.key === 'string')
    .filter((r) => !RETIRED_REASON_KEYS.has(r.key))
    .map((r) => {
      const renamed = r.choices ? RENAMED_CHOICES[r.choices.step] : undefined;
      if (!r.choices || !renamed) return r;
      return { ...r, choices: { step: r.choices.step, ids: r.choices.ids.map((id) => renamed[id] ?? id) } };
    });
}

/**
 * A stored diagnosis of any earlier shape, completed so that the result and the module rules can read it: flags
 * added since then are false, missing fields get their empty value, reasons the method no longer gives are
 * dropped, renamed choices are renamed, and a round-1 "weet niet" on the game changers no longer counts as four
 * game changers not used. The renderer still skips any text it cannot find.
 */
export function readDiagnosis(stored: Diagnosis): Diagnosis {
  const d = stored as Partial<Diagnosis>;
  const flags = Object.fromEntries(FLAGS.map((f) => [f, d.flags?.[f] === true])) as Record<Flag, boolean>;
  const legacyUnknown = Array.isArray(d.reasons) && d.reasons.some((r) => r?.key === LEGACY_GAME_CHANGERS_UNKNOWN);
  return {
    track: d.track ?? 'unclear',
    glasl: d.glasl ?? null,
    certainty: d.certainty ?? 'low',
    roles: Array.isArray(d.roles) ? d.roles : [],
    position: d.position ?? 'unknown',
    missingVoices: Array.isArray(d.missingVoices) ? d.missingVoices : [],
    participation: d.participation ?? { promised: null, delivered: null },
    gameChangersMissing: legacyUnknown || !Array.isArray(d.gameChangersMissing) ? [] : d.gameChangersMissing,
    unknowns: typeof d.unknowns === 'number' ? d.unknowns : 0,
    flags,
    reasons: readReasons(d.reasons),
  };
}
