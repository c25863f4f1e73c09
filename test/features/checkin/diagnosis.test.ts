/**
 * The diagnosis rule by rule. Realistic whole cases live in cases.yaml (cases.test.ts); the properties that must
 * hold for every answer combination in diagnosis.property.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { certaintyOf, diagnose, isMostlyUnknown, phaseOf } from '../../../src/features/checkin/diagnosis.js';
import { interventionsFor } from '../../../src/features/checkin/model.js';
import { loadModuleCatalogue, suggestModules } from '../../../src/features/checkin/modules.js';
import type { Answer } from '../../../src/dialog/types.js';

const catalogue = loadModuleCatalogue('dialogs/modules.yaml');
const keysOf = (answers: Record<string, Answer>) => diagnose(answers).reasons.map((r) => r.key);
const modulesOf = (answers: Record<string, Answer>) =>
  suggestModules(catalogue, diagnose(answers)).map((s) => s.module.id);
/** A calm, fully answered polarisation check-in to vary one answer at a time. */
const calm: Record<string, Answer> = {
  kind: 'polarisation',
  signals: ['debating'],
  safety: ['none'],
  roles: ['pushers', 'meMiddle'],
  participation: 'consult',
  delivered: 'consult',
  voices: ['youth'],
  gameChangers: ['tone'],
};

describe('diagnose: Glasl on every track', () => {
  it('maps stages to phases and doubt to certainty', () => {
    expect([1, 3, 4, 6, 7, 9].map(phaseOf)).toEqual([
      'win-win',
      'win-win',
      'win-lose',
      'win-lose',
      'lose-lose',
      'lose-lose',
    ]);
    expect([0, 1, 2, 3, 6].map(certaintyOf)).toEqual(['high', 'medium', 'medium', 'low', 'low']);
  });

  it('estimates a stage on the polarisation track too: camps with fixed images and coalitions are at stage 4', () => {
    const d = diagnose({ ...calm, signals: ['images'] });
    expect(d.glasl).toEqual({ phase: 'win-lose', stage: 4, from: 4, to: 5 });
    expect(d.reasons).toContainEqual({
      finding: 'glasl',
      key: 'result.why.glasl',
      vars: { stage: 4 },
      choices: { step: 'signals', ids: ['images'] },
    });
  });

  it('counts the stage-3 signals people recognise: avoiding the topic, talk behind backs, acting without talking', () => {
    expect(diagnose({ ...calm, signals: ['avoiding'] }).glasl?.stage).toBe(3);
    expect(diagnose({ ...calm, signals: ['unilateral'] }).glasl?.stage).toBe(3);
  });

  it('treats signals of several stages as normal: the stages build on each other', () => {
    expect(diagnose({ ...calm, signals: ['debating', 'integrity'] }).certainty).toBe('high');
    expect(diagnose({ ...calm, signals: ['debating', 'images', 'ultimatums'] }).certainty).toBe('high');
  });

  it('lowers the certainty when there is no estimate', () => {
    const d = diagnose({ ...calm, signals: ['vertical'] });
    expect(d.glasl).toBeNull();
    expect(d.certainty).toBe('medium');
    expect(d.reasons.map((r) => r.key)).toContain('result.why.certainty.noEstimate');
  });

  it('names the interventions for the estimated range, from the one table', () => {
    expect(interventionsFor(2, 3)).toEqual(['moderation', 'processGuidance']);
    expect(interventionsFor(5, 6)).toEqual(['processGuidance', 'therapeutic', 'mediation', 'arbitration']);
    expect(interventionsFor(7, 9)).toEqual(['mediation', 'arbitration', 'powerIntervention']);
    const d = diagnose({ ...calm, signals: ['images'] });
    expect(d.reasons).toContainEqual({
      finding: 'intervention',
      key: 'result.why.intervention',
      vars: { from: 4, to: 5 },
    });
    expect(keysOf({ ...calm, signals: ['dontKnow'] })).not.toContain('result.why.intervention');
  });
});

describe('diagnose: certainty follows the method', () => {
  it('doubts answers that contradict each other', () => {
    const talking = diagnose({ ...calm, signals: ['talking', 'integrity'] });
    expect(talking.certainty).toBe('medium');
    expect(talking.reasons.map((r) => r.key)).toContain('result.why.certainty.talkingAndAttacks');
    const above = diagnose({ ...calm, roles: ['pushers', 'meAbove'], gameChangers: ['position'] });
    expect(above.reasons.map((r) => r.key)).toContain('result.why.certainty.aboveButMiddle');
    const mixed = diagnose({ ...calm, roles: ['meSide', 'meMiddle'] });
    expect(mixed.reasons.map((r) => r.key)).toEqual(
      expect.arrayContaining(['result.why.certainty.mixedPosition', 'result.why.certainty.oneSided']),
    );
    expect(mixed.certainty).toBe('medium');
  });

  it('counts a one-sided view on the conflict track too', () => {
    const d = diagnose({ kind: 'conflict', signals: ['debating'], safety: ['none'], position: 'meSide' });
    expect(d.position).toBe('side');
    expect(d.reasons.map((r) => r.key)).toContain('result.why.certainty.oneSided');
  });

  it('counts every "weet niet" against the certainty and says how often', () => {
    const d = diagnose({ kind: 'dontKnow', signals: ['dontKnow'], voices: ['dontKnow'], safety: ['none'] });
    expect(d.unknowns).toBe(3);
    expect(d.certainty).toBe('low');
    expect(d.reasons).toContainEqual({
      finding: 'certainty',
      key: 'result.why.certainty.dontKnow',
      vars: { count: 3 },
    });
  });
});

describe('diagnose: "weet ik niet" is not "no"', () => {
  it('gives no game-changer finding and no M4 for "weet niet"', () => {
    const d = diagnose({ ...calm, gameChangers: ['dontKnow'] });
    expect(d.gameChangersMissing).toEqual([]);
    expect(d.reasons.filter((r) => r.finding === 'gameChangers')).toEqual([]);
    expect(modulesOf({ ...calm, gameChangers: ['dontKnow'] })).not.toContain('m4');
    // "Nog geen van deze" is a real answer: all four are not used.
    expect(diagnose({ ...calm, gameChangers: ['none'] }).gameChangersMissing).toHaveLength(4);
  });

  it('says plainly when the result rests mostly on "weet niet", and starts with M1', () => {
    expect(isMostlyUnknown(3, 6)).toBe(true);
    expect(isMostlyUnknown(3, 7)).toBe(false);
    expect(isMostlyUnknown(2, 3)).toBe(false);
    const answers = {
      kind: 'conflict',
      signals: ['dontKnow'],
      safety: ['none'],
      position: 'dontKnow',
      participation: 'dontKnow',
      voices: ['dontKnow'],
    };
    expect(diagnose(answers).flags.mostlyUnknown).toBe(true);
    expect(modulesOf(answers)[0]).toBe('m1');
  });

  it('keeps "weet ik niet zeker" about safety as a reason to check today', () => {
    const d = diagnose({ ...calm, safety: ['unsure'] });
    expect(d.flags).toMatchObject({ safety: false, safetyUnsure: true });
    expect(d.reasons.map((r) => r.key)).toContain('result.why.safetyUnsure');
  });
});

describe('diagnose: roles, position and the bridge-builder trap', () => {
  it('flags the trap when the person stands above the parties', () => {
    const d = diagnose({ ...calm, roles: ['pushers', 'meAbove'] });
    expect(d.flags.bridgeBuilder).toBe(true);
    expect(d.position).toBe('above');
    expect(modulesOf({ ...calm, roles: ['pushers', 'meAbove'] })[0]).toBe('m2');
  });

  it('flags the trap when a bridge builder above the parties (the municipality?) is ticked', () => {
    const d = diagnose({ ...calm, roles: ['pushers', 'bridgeBuilder', 'meMiddle'] });
    expect(d.flags.bridgeBuilder).toBe(true);
    expect(d.reasons).toContainEqual({
      finding: 'bridgeBuilder',
      key: 'result.why.bridgeBuilder',
      choices: { step: 'roles', ids: ['bridgeBuilder'] },
    });
    expect(modulesOf({ ...calm, roles: ['pushers', 'bridgeBuilder', 'meMiddle'] })[0]).toBe('m2');
  });

  it('in a pure conflict, standing above the parties is a third party’s place, not the trap', () => {
    const d = diagnose({ kind: 'conflict', signals: ['debating'], safety: ['none'], position: 'meAbove' });
    expect(d.flags.bridgeBuilder).toBe(false);
    expect(d.reasons).toContainEqual({
      finding: 'position',
      key: 'result.why.aboveInConflict',
      choices: { step: 'position', ids: ['meAbove'] },
    });
  });
});

describe('diagnose: vertical polarisation', () => {
  it('recognises residents against the government, names it and leads to the modules that fit', () => {
    const answers = { ...calm, signals: ['debating', 'vertical'] };
    const d = diagnose(answers);
    expect(d.flags.vertical).toBe(true);
    expect(d.reasons).toContainEqual({
      finding: 'vertical',
      key: 'result.why.vertical',
      choices: { step: 'signals', ids: ['vertical'] },
    });
    expect(modulesOf(answers)).toEqual(expect.arrayContaining(['m1', 'm7']));
  });

  it('infers polarisation from distrust of the government when the track is not known', () => {
    expect(diagnose({ kind: 'dontKnow', signals: ['vertical'] }).track).toBe('polarisation');
    expect(diagnose({ kind: 'dontKnow', signals: ['vertical', 'debating'] }).track).toBe('both');
  });

  it('lets the polarisation module reach the top three on "allebei"', () => {
    expect(modulesOf({ ...calm, kind: 'both', signals: ['images'] })).toContain('m1');
  });
});

describe('diagnose: participation that fits the case', () => {
  it('flags a broken promise with the rungs named', () => {
    const d = diagnose({ ...calm, participation: 'codecide', delivered: 'inform' });
    expect(d.flags.participationMismatch).toBe(true);
    expect(d.participation).toEqual({ promised: 'codecide', delivered: 'inform' });
    expect(d.reasons).toContainEqual({ finding: 'participation', key: 'result.why.participationGap' });
    expect(modulesOf({ ...calm, participation: 'codecide', delivered: 'inform' })[0]).toBe('m6');
  });

  it('says so when the promise was kept, and makes no claim when the delivered rung is not known', () => {
    const kept = diagnose({ ...calm, participation: 'advise', delivered: 'coproduce' });
    expect(kept.flags.participationMismatch).toBe(false);
    expect(kept.reasons.map((r) => r.key)).toContain('result.why.participationKept');
    const unknown = diagnose({ ...calm, participation: 'advise', delivered: 'dontKnow' });
    expect(unknown.reasons.filter((r) => r.finding === 'participation')).toEqual([]);
  });

  it('inside the organisation: no participation finding and never M6, whatever else was given', () => {
    const answers = { ...calm, participation: 'internal', delivered: 'inform', voices: ['youth', 'distrust'] };
    const d = diagnose(answers);
    expect(d.flags.internal).toBe(true);
    expect(d.reasons.filter((r) => r.finding === 'participation' || r.finding === 'missingVoices')).toEqual([]);
    expect(d.missingVoices).toEqual([]);
    expect(modulesOf(answers)).not.toContain('m6');
  });

  it('flags an unclear promise and residents not involved yet', () => {
    expect(diagnose({ ...calm, participation: 'unclear' }).flags.participationUnclear).toBe(true);
    expect(diagnose({ ...calm, participation: 'notYet' }).flags.residentsNotInvolved).toBe(true);
  });
});

describe('diagnose: safety and robustness', () => {
  it('flags doxing as a safety incident of at least stage 6, with the route', () => {
    const d = diagnose({ kind: 'both', signals: ['debating'], safety: ['doxxing'] });
    expect(d.flags).toMatchObject({ safety: true, doxxing: true });
    expect(d.glasl).toMatchObject({ stage: 6, to: 9 });
    expect(modulesOf({ kind: 'both', safety: ['doxxing'] })[0]).toBe('m8');
    // A safety answer stored by the first version (a single choice) still counts.
    expect(diagnose({ safety: 'threats' }).flags.safety).toBe(true);
  });

  it('gives every finding a "waarom" reason', () => {
    const d = diagnose({
      kind: 'both',
      signals: ['images', 'vertical'],
      roles: ['pushers', 'meAbove'],
      voices: ['youth'],
      participation: 'codecide',
      delivered: 'inform',
      gameChangers: ['tone'],
      safety: ['unsure'],
    });
    const findings = new Set(d.reasons.map((r) => r.finding));
    for (const f of [
      'track',
      'glasl',
      'intervention',
      'certainty',
      'roles',
      'bridgeBuilder',
      'vertical',
      'missingVoices',
      'participation',
      'gameChangers',
      'safety',
    ] as const)
      expect(findings).toContain(f);
  });

  it('never throws on odd input and is deterministic', () => {
    const odd = {
      kind: 42,
      signals: 'images',
      roles: [1, null, 'pushers'],
      note: { text: 'x' },
      safety: ['threats', 7],
      participation: ['lessThanPromised'],
    } as unknown as Record<string, Answer>;
    expect(() => diagnose(odd)).not.toThrow();
    expect(diagnose(odd)).toEqual(diagnose(odd));
    expect(diagnose({}).track).toBe('unclear');
    expect(() => diagnose(JSON.parse('{"__proto__": "x", "constructor": ["a"]}'))).not.toThrow();
  });

  it('never puts answer text into reasons', () => {
    const d = diagnose({ kind: 'both', note: { text: 'CANARY-7' }, signals: ['debating'] });
    expect(JSON.stringify(d)).not.toContain('CANARY-7');
  });
});
