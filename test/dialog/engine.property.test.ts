import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advance, predictPath } from '../../src/dialog/engine.js';
import { DialogDefinitionSchema, type DialogDefinition } from '../../src/dialog/schema.js';
import type { Answer, DialogState, EngineInput } from '../../src/dialog/types.js';
import { loadDialogs } from '../../src/dialog/loader.js';
import { DIALOGS_DIR, HOUR_MS, T0 } from './talk.js';

const MAX_STATE_BYTES = 2048;

/** A second dialog with step ids that are also Object.prototype names, and a required text. */
const tricky = DialogDefinitionSchema.parse({
  id: 'tricky',
  version: 3,
  expiresAfterHours: 1,
  steps: [
    { id: 'constructor', kind: 'single', choices: ['toString', 'valueOf'] },
    {
      id: 'hasOwnProperty',
      kind: 'multi',
      choices: ['a', 'b', 'c'],
      exclusive: ['c'],
      min: 2,
      max: 2,
      when: { step: 'constructor', in: ['toString'] },
    },
    {
      id: 'say1',
      kind: 'say',
      next: [{ when: { step: 'hasOwnProperty', answered: false }, goto: '$end', outcome: 'short' }],
    },
    { id: 'why', kind: 'text', maxLength: 5, optional: false },
  ],
});

/** An input "plan": `current` answers are sent with the state's own step and turn, so runs get deep. */
type Plan =
  | { type: 'start' | 'back' | 'stop' }
  | { type: 'answer'; current: boolean; stepId: string; turn: number; value: unknown }
  | { type: 'text'; text: string }
  /** A plausible answer to whatever question is open, built from its definition. */
  | { type: 'good'; pick: number };

const valueArb = fc.oneof(
  fc.constantFrom('wind', 'housing', 'none', 'youth', 'yes', 'no', 'toString', 'a', 'c', 'nope'),
  fc.subarray(['residents', 'youth', 'entrepreneurs', 'neighbours', 'none', 'a', 'b', 'c']),
  fc.array(fc.constantFrom('youth', 'youth', 'a', 'zzz'), { maxLength: 3 }),
  fc.integer({ min: -2, max: 8 }),
  fc.double(),
  fc.record({ text: fc.string({ maxLength: 300 }) }),
  fc.string({ unit: 'binary', maxLength: 300 }).map((text) => ({ text })),
  fc.constant(null),
  fc.anything(),
);

const planArb: fc.Arbitrary<Plan> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<Plan>({ type: 'start' }) },
  { weight: 2, arbitrary: fc.constant<Plan>({ type: 'back' }) },
  { weight: 1, arbitrary: fc.constant<Plan>({ type: 'stop' }) },
  { weight: 10, arbitrary: fc.record({ type: fc.constant('good' as const), pick: fc.nat(20) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      type: fc.constant('answer' as const),
      current: fc.boolean(),
      stepId: fc.constantFrom('topic', 'voices', 'tension', 'safety', 'note', 'constructor', 'why', 'x'),
      turn: fc.integer({ min: -1, max: 12 }),
      value: valueArb,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('text' as const),
      text: fc.oneof(
        fc.constantFrom('1', '2', '1,3', '1 3', '5', 'none', '3', 'toString', 'a b', ''),
        fc.string({ maxLength: 400 }),
      ),
    }),
  },
);

const advanceArb = fc.oneof(
  { weight: 30, arbitrary: fc.integer({ min: 0, max: 10 * 60_000 }) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 2 * HOUR_MS }) },
  { weight: 1, arbitrary: fc.constant(100 * HOUR_MS) },
);
const stepArb = fc.record({ plan: planArb, advanceMs: advanceArb, roundTrip: fc.boolean() });

function goodValue(def: DialogDefinition, stepId: string | undefined, pick: number): Answer {
  const step = def.steps.find((s) => s.id === stepId);
  switch (step?.kind) {
    case 'single':
      return step.choices[pick % step.choices.length] ?? null;
    case 'multi':
      return step.choices.slice(pick % step.choices.length, (pick % step.choices.length) + 1 + (pick % 3));
    case 'scale':
      return step.min + (pick % (step.max - step.min + 1));
    case 'text':
      return pick % 4 === 0 ? null : { text: 'x'.repeat(pick) };
    default:
      return null;
  }
}

function toInput(def: DialogDefinition, plan: Plan, state: DialogState | undefined, now: number): EngineInput {
  if (plan.type === 'good') {
    const value = goodValue(def, state?.stepId, plan.pick);
    return { type: 'answer', stepId: state?.stepId ?? 'x', turn: state?.turn ?? 0, value, now };
  }
  if (plan.type !== 'answer') return { ...plan, now } as EngineInput;
  const stepId = plan.current && state?.stepId !== undefined ? state.stepId : plan.stepId;
  const turn = plan.current && state !== undefined ? state.turn : plan.turn;
  // Button payloads arrive from outside: the value may be anything at all.
  return { type: 'answer', stepId, turn, value: plan.value as never, now };
}

function checkInvariants(def: DialogDefinition, state: DialogState): void {
  const json = JSON.stringify(state);
  expect(Buffer.byteLength(json)).toBeLessThan(MAX_STATE_BYTES);
  expect(JSON.parse(json)).toEqual(state);
  expect(Object.keys(state.answers).sort()).toEqual([...state.history].sort());
  expect(new Set(state.history).size).toBe(state.history.length);
  if (state.status === 'active') {
    expect(typeof state.stepId).toBe('string');
    // What was asked so far is the start of the predicted path, and the open question comes next.
    const path = predictPath(def, state.answers);
    expect(path.slice(0, state.history.length + 1)).toEqual([...state.history, state.stepId]);
  } else {
    expect(state.stepId).toBeUndefined();
  }
}

const dialogs: [string, DialogDefinition][] = [...loadDialogs(DIALOGS_DIR).values(), tricky].map((def) => [
  def.id,
  def,
]);

describe.each(dialogs)('engine properties (%s)', (_name, def) => {
  const hasOutcome = def.steps.some((step) => step.next?.some((rule) => rule.outcome !== undefined));

  it('never throws, keeps states valid and small, and leaves refused states untouched', () => {
    const seen = { done: 0, outcome: 0, back: 0, expired: 0 };
    fc.assert(
      fc.property(fc.boolean(), fc.array(stepArb, { maxLength: 40, size: 'medium' }), (started, steps) => {
        let now = T0;
        // Most runs begin with a dialog under way; the others probe inputs without any state.
        let state: DialogState | undefined = started
          ? advance(def, undefined, { type: 'start', now }).state
          : undefined;
        if (state !== undefined) checkInvariants(def, state);
        for (const { plan, advanceMs, roundTrip } of steps) {
          now += advanceMs;
          const before = state;
          const snapshot = JSON.stringify(before);
          const input = toInput(def, plan, state, now);
          const result = advance(def, state, input);
          // Pure: the input state is never mutated, whether or not the input was accepted.
          expect(JSON.stringify(before)).toBe(snapshot);
          if (!result.changed) {
            if (before !== undefined) expect(result.state).toBe(before);
            expect(result.outputs).toHaveLength(1);
            expect(result.outputs[0]?.kind).toBe('rejected');
            if (result.outputs[0]?.kind === 'rejected' && result.outputs[0].reason === 'expired') seen.expired++;
            continue;
          }
          expect(result.outputs.some((o) => o.kind === 'rejected')).toBe(false);
          if (input.type !== 'start' && before !== undefined)
            expect(result.state.turn).toBeGreaterThanOrEqual(before.turn);
          for (const out of result.outputs) if (out.kind === 'ask') expect(out.current).toBeLessThanOrEqual(out.total);
          checkInvariants(def, result.state);
          if (result.state.status === 'done') seen.done++;
          if (result.state.outcome !== undefined) seen.outcome++;
          if (input.type === 'back') seen.back++;
          state = roundTrip ? (JSON.parse(JSON.stringify(result.state)) as DialogState) : result.state;
        }
      }),
      { numRuns: 200 },
    );
    // The random runs must reach the interesting places, or the properties above prove little.
    expect(seen.done).toBeGreaterThan(0);
    if (hasOutcome) expect(seen.outcome).toBeGreaterThan(0);
    expect(seen.back).toBeGreaterThan(0);
    expect(seen.expired).toBeGreaterThan(0);
  });

  it('accepts an input at most once per turn (double clicks change nothing)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 12 }), (picks) => {
        let state = advance(def, undefined, { type: 'start', now: T0 }).state;
        for (const pick of picks) {
          if (state.status !== 'active' || state.stepId === undefined) break;
          const first = advance(def, state, { type: 'text', text: String(pick + 1), now: T0 });
          if (!first.changed) continue;
          const replay = advance(def, first.state, {
            type: 'answer',
            stepId: state.stepId,
            turn: state.turn,
            value: 'wind',
            now: T0,
          });
          expect(replay.changed).toBe(false);
          expect(replay.outputs[0]).toMatchObject({ kind: 'rejected' });
          expect(replay.state).toBe(first.state);
          state = first.state;
        }
      }),
      { numRuns: 200 },
    );
  });
});
