import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/features/checkin/diagnosis.js';
import { CERTAINTIES, PHASES, TRACKS, type Diagnosis, type Reason } from '../../../src/features/checkin/model.js';
import { loadModuleCatalogue, suggestModules, type ModuleCatalogue } from '../../../src/features/checkin/modules.js';
import { buildResultMessage } from '../../../src/features/checkin/result.js';
import { advance } from '../../../src/dialog/engine.js';
import { loadDialogFile } from '../../../src/dialog/loader.js';
import type { QuestionStep } from '../../../src/dialog/schema.js';
import type { Answer, DialogState, EngineOutput } from '../../../src/dialog/types.js';
import { createTranslator } from '../../../src/i18n/translator.js';

const def = loadDialogFile('dialogs/checkin.yaml');
const catalogue = loadModuleCatalogue('dialogs/modules.yaml');
// Strict: a missing key or a missing ICU variable throws, so every rendered result is complete.
const translator = createTranslator({ dir: 'dialogs', strict: true });
const questions = def.steps.filter((s): s is QuestionStep => s.kind !== 'say');
const SAFETY_ANSWERS = ['threats', 'doxxing', 'damage'];
const reportsDanger = (answer: Answer | undefined): boolean =>
  (Array.isArray(answer) ? answer : [answer]).some((id) => SAFETY_ANSWERS.includes(id as string));
/** The steps where "weet niet" is a choice (safety's "weet ik niet zeker" is the one unknown that speaks). */
const DONT_KNOW_STEPS = questions.filter((s) => 'choices' in s && s.choices.includes('dontKnow')).map((s) => s.id);
const RUNS = 400;

/** A valid answer to one question step, built from the real choices of dialogs/checkin.yaml. */
function answerArb(step: QuestionStep): fc.Arbitrary<Answer> {
  switch (step.kind) {
    case 'single':
      return fc.constantFrom(...step.choices);
    case 'multi': {
      const exclusive = step.exclusive ?? [];
      const open = step.choices.filter((c) => !exclusive.includes(c));
      const some = fc.subarray(open, { minLength: Math.max(1, step.min) });
      return exclusive.length > 0
        ? fc.oneof(
            some,
            fc.constantFrom(...exclusive).map((c) => [c]),
          )
        : some;
    }
    case 'scale':
      return fc.integer({ min: step.min, max: step.max });
    case 'text':
      return fc.oneof(
        fc.constant(null),
        fc.string({ minLength: 1, maxLength: step.maxLength }).map((text) => ({ text })),
      );
  }
}

/** Any subset of the steps answered (absent = not reached, null = skipped): every combination of real choices. */
const answersArb = fc.record(
  Object.fromEntries(questions.map((step) => [step.id, fc.oneof(answerArb(step), fc.constant(null))])),
  { requiredKeys: [] },
) as fc.Arbitrary<Record<string, Answer>>;

function expectValid(d: Diagnosis): void {
  expect(TRACKS).toContain(d.track);
  expect(CERTAINTIES).toContain(d.certainty);
  if (d.glasl) {
    expect(PHASES).toContain(d.glasl.phase);
    expect(d.glasl.from).toBeGreaterThanOrEqual(1);
    expect(d.glasl.from).toBeLessThanOrEqual(d.glasl.stage);
    expect(d.glasl.stage).toBeLessThanOrEqual(d.glasl.to);
    expect(d.glasl.to).toBeLessThanOrEqual(9);
  }
  for (const reason of d.reasons) {
    expect(translator.has('nl', reason.key), reason.key).toBe(true);
    expect(translator.has('en', reason.key), reason.key).toBe(true);
  }
  // Round-trips through JSON unchanged (it is stored).
  expect(JSON.parse(JSON.stringify(d))).toEqual(d);
}

function expectSafetyWins(d: Diagnosis, modules: ModuleCatalogue = catalogue): void {
  const suggestions = suggestModules(modules, d);
  expect(suggestions.length).toBeGreaterThanOrEqual(1);
  expect(suggestions.length).toBeLessThanOrEqual(3);
  expect(new Set(suggestions.map((s) => s.module.id)).size).toBe(suggestions.length);
  // A module the organiser still has to complete is never suggested.
  expect(suggestions.filter((s) => s.module.toBeCompletedByOrganiser)).toEqual([]);
  // Inside the organisation there are no residents: never the participation module.
  if (d.flags.internal) expect(suggestions.map((s) => s.module.id)).not.toContain('m6');
  if (d.flags.safety) {
    expect(suggestions[0]?.module.id).toBe('m8');
    expect(suggestions[0]?.isSafety).toBe(true);
  }
}

/** What a diagnosis claims, without the certainty (which "weet niet" is allowed to lower). */
function claims(d: Diagnosis): unknown {
  const { certainty: _c, unknowns: _u, flags, reasons, glasl, ...rest } = d;
  const { mostlyUnknown: _m, ...otherFlags } = flags;
  const kept = reasons
    .filter((r) => r.finding !== 'certainty')
    .map((r: Reason) => (r.finding === 'intervention' ? { key: r.key } : r));
  return { ...rest, flags: otherFlags, reasons: kept, glasl: glasl && { ...glasl, from: undefined } };
}

describe('diagnose: every answer combination of the real check-in', () => {
  it('yields a valid diagnosis, 1-3 modules and a complete result in both languages; never throws', () => {
    fc.assert(
      fc.property(answersArb, (answers) => {
        const d = diagnose(answers);
        expectValid(d);
        expectSafetyWins(d);
        expect(d.flags.safety).toBe(reportsDanger(answers.safety));
        for (const locale of ['nl', 'en'] as const) {
          const view = {
            resultId: 'r1',
            diagnosis: d,
            suggestions: suggestModules(catalogue, d),
            expiresAt: 0,
            kept: false,
            retentionDays: 90,
          };
          const rc = { t: translator.bind(locale), locale };
          // The summary, the picture's words and the modules; and behind "Toon uitleg", one person's view.
          const message = buildResultMessage(view, rc);
          expect(message.text).toContain(translator.t(locale, `result.summary.${d.track}`));
          expect(message.blocks.some((b) => b.type === 'image' && b.alt !== '' && b.text !== '')).toBe(true);
          const explained = buildResultMessage({ ...view, explain: true }, rc);
          expect(explained.text).toContain(translator.t(locale, 'result.onePerson'));
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('diagnose: properties trainers rely on', () => {
  it('"weet niet" never produces a finding: it only lowers the certainty', () => {
    fc.assert(
      fc.property(answersArb, fc.constantFrom(...DONT_KNOW_STEPS), (answers, step) => {
        const asked = diagnose({
          ...answers,
          [step]:
            step === 'kind' || step === 'position' || step === 'participation' || step === 'delivered'
              ? 'dontKnow'
              : ['dontKnow'],
        });
        const { [step]: _dropped, ...rest } = answers;
        const notAsked = diagnose(rest);
        expect(claims(asked)).toEqual(claims(notAsked));
        expect(asked.unknowns).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: RUNS },
    );
  });

  it('safety always wins, and unfilled modules are never suggested, whatever the organiser leaves open', () => {
    const openable = catalogue.modules.filter((m) => !m.suggestWhen.some((r) => r.when.flag === 'safety'));
    fc.assert(
      fc.property(answersArb, fc.subarray(openable.map((m) => m.id)), (answers, open) => {
        const modules: ModuleCatalogue = {
          ...catalogue,
          modules: catalogue.modules.map((m) => (open.includes(m.id) ? { ...m, toBeCompletedByOrganiser: true } : m)),
        };
        const d = diagnose(answers);
        expectSafetyWins(d, modules);
        expect(d.flags.safety).toBe(reportsDanger(answers.safety));
      }),
      { numRuns: RUNS },
    );
  });
});

/** Drive the real engine with random valid answers until the dialog ends; record the progress totals seen. */
function runDialog(pick: (step: QuestionStep) => Answer): { state: DialogState; totals: number[] } {
  let result = advance(def, undefined, { type: 'start', now: 0 });
  const totals: number[] = [];
  for (let guard = 0; guard < 50; guard++) {
    const ask = result.outputs.find((o): o is Extract<EngineOutput, { kind: 'ask' }> => o.kind === 'ask');
    if (!ask) break;
    // The optional closing note is not numbered (current 0); every other question counts.
    if (ask.stepId === 'note') expect(ask).toMatchObject({ current: 0, total: 0 });
    else totals.push(ask.total);
    const step = questions.find((s) => s.id === ask.stepId);
    if (!step) throw new Error(`unknown step ${ask.stepId}`);
    result = advance(def, result.state, {
      type: 'answer',
      stepId: step.id,
      turn: result.state.turn,
      value: pick(step),
      now: 1,
    });
    expect(result.changed).toBe(true);
  }
  return { state: result.state, totals };
}

describe('the check-in dialog end to end (engine + diagnosis)', () => {
  it('every answer sequence ends; threats or damage end it with the safety outcome, and safety wins', () => {
    const pickers = fc.record(Object.fromEntries(questions.map((s) => [s.id, answerArb(s)]))) as fc.Arbitrary<
      Record<string, Answer>
    >;
    fc.assert(
      fc.property(pickers, (chosen) => {
        const { state, totals } = runDialog((step) => chosen[step.id] ?? null);
        expect(state.status).toBe('done');
        const d = diagnose(state.answers);
        expectValid(d);
        expectSafetyWins(d);
        const reportedDanger = reportsDanger(chosen.safety);
        expect(state.outcome === 'safety').toBe(reportedDanger);
        expect(d.flags.safety).toBe(reportedDanger);
        // After a safety stop no later question was asked.
        if (reportedDanger)
          expect(
            Object.keys(state.answers).filter((k) =>
              ['position', 'roles', 'participation', 'delivered', 'voices', 'gameChangers', 'note'].includes(k),
            ),
          ).toEqual([]);
        // The progress line counts the person's path: 8 numbered questions at most (the note is an unnumbered
        // extra), 7 for a conflict; no delivered rung without a promised one, no voices inside the organisation.
        expect(Math.max(...totals)).toBeLessThanOrEqual(8);
        const last = totals.at(-1) ?? 0;
        const numbered = state.history.filter((id) => id !== 'note').length;
        if (!reportedDanger) {
          expect(last).toBe(numbered);
          const promised = !['unclear', 'notYet', 'internal', 'dontKnow'].includes(chosen.participation as string);
          const internal = chosen.participation === 'internal';
          const full = chosen.kind === 'conflict' ? 7 : 8;
          expect(last).toBe(full - Number(!promised) - Number(internal));
        }
      }),
      { numRuns: RUNS },
    );
  });
});
