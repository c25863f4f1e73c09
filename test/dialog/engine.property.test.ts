import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advance, predictPath } from '../../src/dialog/engine.js';
import { DialogDefinitionSchema, type DialogDefinition } from '../../src/dialog/schema.js';
import type { DialogState, EngineInput } from '../../src/dialog/types.js';
import { HOUR_MS, T0, sampleDialog } from './talk.js';

const MAX_STATE_BYTES = 2048;

/** A second dialog with step ids that are also Object.prototype names, and a required text. */
const tricky = DialogDefinitionSchema.parse({
  id: 'tricky',
  version: 3,
  expiresAfterHours: 1,
  steps: [
    { id: 'constructor', kind: 'single', choices: ['toString', 'valueOf'] },
    { id: 'hasOwnProperty', kind: 'multi', choices: ['a', 'b', 'c'], exclusive: ['c'], min: 2, max: 2,
      when: { step: 'constructor', in: ['toString'] } },
    { id: 'say1', kind: 'say', next: [{ when: { step: 'hasOwnProperty', answered: false }, goto: '$end', outcome: 'short' }] },
    { id: 'why', kind: 'text', maxLength: 5, optional: false },
  ],
});

/** An input "plan": `current` answers are sent with the state's own step and turn, so runs get deep. */
type Plan =
  | { type: 'start' | 'back' | 'stop' }
  | { type: 'answer'; current: boolean; stepId: string; turn: number; value: unknown }
  | { type: 'text'; text: string };

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
  { weight: 1, arbitrary: fc.constantFrom<Plan>({ type: 'back' }, { type: 'stop' }) },
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
      text: fc.oneof(fc.constantFrom('1', '2', '1,3', '1 3', '5', 'none', '3', 'toString', 'a b', ''), fc.string({ maxLength: 400 })),
    }),
  },
);

const advanceArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 10 * 60_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 * HOUR_MS }) },
  { weight: 1, arbitrary: fc.constant(100 * HOUR_MS) },
);
const stepArb = fc.record({ plan: planArb, advanceMs: advanceArb, roundTrip: fc.boolean() });

function toInput(plan: Plan, state: DialogState | undefined, now: number): EngineInput {
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

describe.each([
  ['sample', sampleDialog()],
  ['tricky', tricky],
])('engine properties (%s)', (_name, def) => {
  it('never throws, keeps states valid and small, and leaves refused states untouched', () => {
    const seen = { done: 0, outcome: 0, back: 0, expired: 0 };
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 40 }), (steps) => {
        let state: DialogState | undefined;
        let now = T0;
        for (const { plan, advanceMs, roundTrip } of steps) {
          now += advanceMs;
          const before = state;
          const snapshot = JSON.stringify(before);
          const input = toInput(plan, state, now);
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
          if (input.type !== 'start' && before !== undefined) expect(result.state.turn).toBeGreaterThanOrEqual(before.turn);
          for (const out of result.outputs) if (out.kind === 'ask') expect(out.current).toBeLessThanOrEqual(out.total);
          checkInvariants(def, result.state);
          if (result.state.status === 'done') seen.done++;
          if (result.state.outcome !== undefined) seen.outcome++;
          if (input.type === 'back') seen.back++;
          state = roundTrip ? (JSON.parse(JSON.stringify(result.state)) as DialogState) : result.state;
        }
      }),
      { numRuns: 400 },
    );
    // The random runs must reach the interesting places, or the properties above prove little.
    expect(seen.done).toBeGreaterThan(0);
    expect(seen.outcome).toBeGreaterThan(0);
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
          const replay = advance(def, first.state, { type: 'answer', stepId: state.stepId, turn: state.turn, value: 'wind', now: T0 });
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
