import { describe, expect, it } from 'vitest';
import { advance, evaluateCondition, predictPath, questionsAnswered } from '../../src/dialog/engine.js';
import { DialogDefinitionSchema } from '../../src/dialog/schema.js';
import type { Answer } from '../../src/dialog/types.js';
import { HOUR_MS, T0, Talk, sampleDialog } from './talk.js';

const def = sampleDialog();

/** A sample conversation that has reached the voices question. */
function atVoices(): Talk {
  const talk = new Talk(def);
  talk.start();
  talk.answer('wind');
  return talk;
}

describe('advance through the sample dialog', () => {
  it('walks the happy path with says, asks and progress', () => {
    const talk = new Talk(def);
    expect(talk.start()).toEqual([
      { kind: 'say', stepId: 'intro' },
      { kind: 'ask', stepId: 'topic', current: 1, total: 5, certain: false },
    ]);
    expect(talk.state).toMatchObject({
      dialogId: 'sample',
      version: 1,
      stepId: 'topic',
      turn: 0,
      status: 'active',
      startedAt: T0,
    });
    expect(talk.state?.expiresAt).toBe(T0 + 72 * HOUR_MS);
    expect(talk.answer('wind')).toEqual([{ kind: 'ask', stepId: 'voices', current: 2, total: 5, certain: false }]);
    expect(talk.answer(['residents', 'youth'])).toEqual([
      { kind: 'ask', stepId: 'tension', current: 3, total: 5, certain: true },
    ]);
    expect(talk.answer(4)).toEqual([
      { kind: 'say', stepId: 'tensionHigh' },
      { kind: 'ask', stepId: 'safety', current: 4, total: 5, certain: true },
    ]);
    expect(talk.answer('yes')).toEqual([{ kind: 'ask', stepId: 'note', current: 5, total: 5, certain: true }]);
    expect(talk.answer({ text: '  Veel gedoe op social media.  ' })).toEqual([
      { kind: 'say', stepId: 'thanks' },
      { kind: 'done' },
    ]);
    const state = talk.state;
    expect(state?.status).toBe('done');
    expect(state?.stepId).toBeUndefined();
    expect(state?.outcome).toBeUndefined();
    expect(state?.turn).toBe(5);
    expect(state?.history).toEqual(['topic', 'voices', 'tension', 'safety', 'note']);
    expect(state?.answers).toEqual({
      topic: 'wind',
      voices: ['residents', 'youth'],
      tension: 4,
      safety: 'yes',
      note: { text: 'Veel gedoe op social media.' },
    });
    expect(questionsAnswered(state!)).toBe(5);
  });

  it('skips a say whose condition fails and stores a skipped optional text as null', () => {
    const talk = atVoices();
    talk.answer(['youth']);
    expect(talk.answer(2)).toEqual([{ kind: 'ask', stepId: 'safety', current: 4, total: 5, certain: true }]);
    talk.answer('unsure');
    expect(talk.answer(null)).toEqual([{ kind: 'say', stepId: 'thanks' }, { kind: 'done' }]);
    expect(talk.state?.answers.note).toBeNull();
  });

  it('branches: "none" jumps over tension and the total drops; "no" on safety ends with an outcome', () => {
    const talk = atVoices();
    expect(talk.answer(['none'])).toEqual([{ kind: 'ask', stepId: 'safety', current: 3, total: 4, certain: true }]);
    expect(talk.answer('no')).toEqual([{ kind: 'done', outcome: 'safety' }]);
    expect(talk.state).toMatchObject({ status: 'done', outcome: 'safety', history: ['topic', 'voices', 'safety'] });
    expect(talk.state?.stepId).toBeUndefined();
  });

  it('goes back one question, forgetting its answer, and the progress follows the new path', () => {
    const talk = atVoices();
    talk.answer(['none']);
    expect(talk.send({ type: 'back' })).toEqual([
      { kind: 'ask', stepId: 'voices', current: 2, total: 5, certain: false },
    ]);
    expect(talk.state).toMatchObject({ stepId: 'voices', turn: 3, history: ['topic'], answers: { topic: 'wind' } });
    expect(talk.answer(['residents'])).toEqual([
      { kind: 'ask', stepId: 'tension', current: 3, total: 5, certain: true },
    ]);
    talk.send({ type: 'back' });
    talk.send({ type: 'back' });
    expect(talk.state).toMatchObject({ stepId: 'topic', history: [], answers: {} });
    expect(talk.send({ type: 'back' })).toEqual([{ kind: 'rejected', reason: 'nothing_to_undo', stepId: 'topic' }]);
  });

  it('stops, and after that nothing is active', () => {
    const talk = atVoices();
    expect(talk.send({ type: 'stop' })).toEqual([{ kind: 'stopped' }]);
    expect(talk.state?.status).toBe('stopped');
    expect(talk.state?.stepId).toBeUndefined();
    expect(talk.state?.answers).toEqual({ topic: 'wind' });
    expect(talk.answer.bind(talk, ['youth'])).toThrow('no open question');
    expect(talk.send({ type: 'answer', stepId: 'voices', turn: 1, value: ['youth'] })[0]).toMatchObject({
      reason: 'not_active',
    });
    expect(talk.says('1')[0]).toMatchObject({ reason: 'not_active' });
    expect(talk.send({ type: 'stop' })[0]).toMatchObject({ reason: 'not_active' });
  });

  it('start begins afresh, even over a running dialog', () => {
    const talk = atVoices();
    talk.now += HOUR_MS;
    talk.start();
    expect(talk.state).toMatchObject({ stepId: 'topic', turn: 0, answers: {}, history: [], startedAt: T0 + HOUR_MS });
  });
});

describe('stale, double and refused inputs', () => {
  it('refuses a click from an earlier turn or another step, returning the same state object', () => {
    const talk = atVoices();
    const before = talk.state;
    const old = talk.send({ type: 'answer', stepId: 'topic', turn: 0, value: 'housing' });
    expect(old).toEqual([{ kind: 'rejected', reason: 'stale', stepId: 'voices' }]);
    expect(talk.last.state).toBe(before);
    expect(talk.last.changed).toBe(false);
    expect(talk.send({ type: 'answer', stepId: 'voices', turn: 0, value: ['youth'] })[0]).toMatchObject({
      reason: 'stale',
    });
    expect(talk.send({ type: 'answer', stepId: 'tension', turn: 1, value: 3 })[0]).toMatchObject({ reason: 'stale' });
  });

  it('counts a double click once', () => {
    const talk = atVoices();
    const click = { type: 'answer' as const, stepId: 'voices', turn: 1, value: ['youth'] };
    expect(talk.send(click)).toEqual([{ kind: 'ask', stepId: 'tension', current: 3, total: 5, certain: true }]);
    const after = talk.state;
    expect(talk.send(click)).toEqual([{ kind: 'rejected', reason: 'stale', stepId: 'tension' }]);
    expect(talk.last.state).toBe(after);
    expect(after?.history).toEqual(['topic', 'voices']);
  });

  it.each([
    ['single: not a choice', 'topic', 'nope', 'invalid_choice'],
    ['single: not a string', 'topic', 3, 'invalid_choice'],
    ['multi: unknown choice', 'voices', ['youth', 'aliens'], 'invalid_choice'],
    ['multi: duplicate', 'voices', ['youth', 'youth'], 'invalid_choice'],
    ['multi: not a list', 'voices', 'youth', 'invalid_choice'],
    ['multi: none with others', 'voices', ['none', 'youth'], 'exclusive_combined'],
    ['multi: below min', 'voices', [], 'too_few'],
    ['multi: above max', 'voices', ['residents', 'youth', 'entrepreneurs', 'neighbours'], 'too_many'],
    ['scale: above max', 'tension', 6, 'out_of_range'],
    ['scale: below min', 'tension', 0, 'out_of_range'],
    ['scale: not whole', 'tension', 2.5, 'out_of_range'],
    ['scale: a string', 'tension', '3', 'out_of_range'],
    ['text: too long', 'note', { text: 'x'.repeat(281) }, 'too_long'],
  ] as const)('refuses %s', (_name, stepId, value, reason) => {
    const talk = new Talk(def);
    talk.start();
    const path: Record<string, Answer> = { topic: 'wind', voices: ['youth'], tension: 3, safety: 'yes' };
    while (talk.state?.stepId !== stepId) talk.answer(path[talk.state?.stepId ?? ''] ?? null);
    const before = talk.state;
    const [out] = talk.answer(value as never);
    expect(out).toMatchObject({ kind: 'rejected', reason, stepId });
    if (reason === 'too_long') expect(out).toMatchObject({ limit: 280 });
    if (reason === 'too_few') expect(out).toMatchObject({ limit: 1 });
    if (reason === 'too_many') expect(out).toMatchObject({ limit: 3 });
    expect(talk.last.state).toBe(before);
  });

  it('refuses an empty answer to a required text question', () => {
    const strict = DialogDefinitionSchema.parse({
      id: 'strict',
      version: 1,
      steps: [{ id: 'why', kind: 'text', maxLength: 10, optional: false }],
    });
    const talk = new Talk(strict);
    talk.start();
    expect(talk.answer(null)).toEqual([{ kind: 'rejected', reason: 'empty', stepId: 'why' }]);
    expect(talk.says('   ')[0]).toMatchObject({ reason: 'empty' });
    expect(talk.says('kort')).toEqual([{ kind: 'done' }]);
    expect(talk.state?.answers).toEqual({ why: { text: 'kort' } });
  });

  it('accepts an exclusive choice alone even though min is 1', () => {
    const talk = atVoices();
    expect(talk.answer(['none'])[0]).toMatchObject({ kind: 'ask', stepId: 'safety' });
  });

  it('reports not_active without a state and after the dialog is done', () => {
    const result = advance(def, undefined, { type: 'answer', stepId: 'topic', turn: 0, value: 'wind', now: T0 });
    expect(result.changed).toBe(false);
    expect(result.outputs).toEqual([{ kind: 'rejected', reason: 'not_active' }]);
    expect(result.state.status).not.toBe('active');
    expect(advance(def, undefined, { type: 'back', now: T0 }).outputs[0]).toMatchObject({ reason: 'not_active' });
    const talk = atVoices();
    talk.answer(['none']);
    talk.answer('no');
    expect(talk.send({ type: 'back' })).toEqual([{ kind: 'rejected', reason: 'not_active' }]);
  });

  it('expires an idle dialog, and each accepted input extends the deadline', () => {
    const talk = atVoices();
    talk.now = T0 + 72 * HOUR_MS;
    expect(talk.answer(['youth'])[0]).toMatchObject({ kind: 'ask', stepId: 'tension' });
    expect(talk.state?.expiresAt).toBe(T0 + 144 * HOUR_MS);
    talk.now = T0 + 144 * HOUR_MS + 1;
    const before = talk.state;
    expect(talk.answer(3)).toEqual([{ kind: 'rejected', reason: 'expired', stepId: 'tension' }]);
    expect(talk.says('3')[0]).toMatchObject({ reason: 'expired' });
    expect(talk.send({ type: 'back' })[0]).toMatchObject({ reason: 'expired' });
    expect(talk.last.state).toBe(before);
    expect(talk.send({ type: 'stop' })).toEqual([{ kind: 'stopped' }]);
  });

  it('ends politely when the stored state is of another dialog version', () => {
    const talk = atVoices();
    const v2 = { ...def, version: 2 };
    const result = advance(v2, talk.state, { type: 'answer', stepId: 'voices', turn: 1, value: ['youth'], now: T0 });
    expect(result.outputs).toEqual([{ kind: 'rejected', reason: 'version_changed', stepId: 'voices' }]);
    expect(result.state).toBe(talk.state);
    expect(advance(v2, talk.state, { type: 'stop', now: T0 }).state.status).toBe('stopped');
  });

  it('treats a state of another dialog as not active', () => {
    const talk = atVoices();
    const other = { ...def, id: 'other' };
    expect(advance(other, talk.state, { type: 'back', now: T0 }).outputs[0]).toMatchObject({ reason: 'not_active' });
  });
});

describe('typed text while a question is open', () => {
  it('reads choice numbers and ids, in any case', () => {
    const talk = new Talk(def);
    talk.start();
    expect(talk.says('vrede')).toEqual([{ kind: 'rejected', reason: 'choice_expected', stepId: 'topic' }]);
    expect(talk.says('0')[0]).toMatchObject({ reason: 'choice_expected' });
    expect(talk.says('5')[0]).toMatchObject({ reason: 'choice_expected' });
    talk.says(' 2 ');
    expect(talk.state?.answers.topic).toBe('housing');
    talk.send({ type: 'back' });
    talk.says('Budget');
    expect(talk.state?.answers.topic).toBe('budget');
  });

  it('reads lists for a multi question', () => {
    const talk = atVoices();
    expect(talk.says('1 en 3')[0]).toMatchObject({ reason: 'choice_expected' });
    expect(talk.says('5, 2')[0]).toMatchObject({ reason: 'exclusive_combined' });
    expect(talk.says('1,2,3,4')[0]).toMatchObject({ reason: 'too_many', limit: 3 });
    expect(talk.says(',')[0]).toMatchObject({ reason: 'choice_expected' });
    talk.says('1,3 1');
    expect(talk.state?.answers.voices).toEqual(['residents', 'entrepreneurs']);
    talk.send({ type: 'back' });
    talk.says('YOUTH; 4');
    expect(talk.state?.answers.voices).toEqual(['youth', 'neighbours']);
  });

  it('reads a whole number for a scale', () => {
    const talk = atVoices();
    talk.answer(['youth']);
    expect(talk.says('vier')[0]).toMatchObject({ reason: 'choice_expected' });
    expect(talk.says('3.5')[0]).toMatchObject({ reason: 'choice_expected' });
    expect(talk.says('9')[0]).toMatchObject({ reason: 'out_of_range' });
    expect(talk.says(' 5 ')[0]).toMatchObject({ kind: 'say', stepId: 'tensionHigh' });
    expect(talk.state?.answers.tension).toBe(5);
  });

  it('takes the text itself for a text question, within maxLength', () => {
    const talk = atVoices();
    talk.answer(['none']);
    talk.answer('yes');
    expect(talk.says('y'.repeat(281))).toEqual([{ kind: 'rejected', reason: 'too_long', stepId: 'note', limit: 280 }]);
    expect(talk.says('z'.repeat(280))).toEqual([{ kind: 'say', stepId: 'thanks' }, { kind: 'done' }]);
    expect(talk.state?.answers.note).toEqual({ text: 'z'.repeat(280) });
  });

  it('drops control characters from free text', () => {
    const talk = atVoices();
    talk.answer(['none']);
    talk.answer('yes');
    talk.says('a\u0000b\u001bc\nd');
    expect(talk.state?.answers.note).toEqual({ text: 'abc\nd' });
  });
});

describe('progress and conditions', () => {
  it('predicts the path from the answers so far', () => {
    expect(predictPath(def, {})).toEqual(['topic', 'voices', 'tension', 'safety', 'note']);
    expect(predictPath(def, { topic: 'wind', voices: ['none'] })).toEqual(['topic', 'voices', 'safety', 'note']);
    expect(predictPath(def, { topic: 'wind', voices: ['youth'], tension: 5, safety: 'no' })).toEqual([
      'topic',
      'voices',
      'tension',
      'safety',
    ]);
  });

  it('numbers the questions along a branching path', () => {
    const asks = (outputs: ReturnType<Talk['answer']>) =>
      outputs.filter((o) => o.kind === 'ask').map((o) => [o.current, o.total]);
    const talk = new Talk(def);
    expect(asks(talk.start())).toEqual([[1, 5]]);
    expect(asks(talk.answer('other'))).toEqual([[2, 5]]);
    expect(asks(talk.answer(['none']))).toEqual([[3, 4]]);
    expect(asks(talk.send({ type: 'back' }))).toEqual([[2, 5]]);
    expect(asks(talk.answer(['residents']))).toEqual([[3, 5]]);
    expect(asks(talk.answer(1))).toEqual([[4, 5]]);
    expect(talk.answer('no')).toEqual([{ kind: 'done', outcome: 'safety' }]);
  });

  it('evaluates every kind of condition', () => {
    const answers = { a: 'x', m: ['p', 'q'], s: 3, t: null, constructor: 'y' };
    expect(evaluateCondition({ step: 'a', in: ['x', 'z'] }, answers)).toBe(true);
    expect(evaluateCondition({ step: 'a', in: ['z'] }, answers)).toBe(false);
    expect(evaluateCondition({ step: 'm', in: ['q'] }, answers)).toBe(true);
    expect(evaluateCondition({ step: 'm', includesAll: ['p', 'q'] }, answers)).toBe(true);
    expect(evaluateCondition({ step: 'm', includesAll: ['p', 'r'] }, answers)).toBe(false);
    expect(evaluateCondition({ step: 's', gte: 3, lte: 3 }, answers)).toBe(true);
    expect(evaluateCondition({ step: 's', gte: 4 }, answers)).toBe(false);
    expect(evaluateCondition({ step: 'a', gte: 0 }, answers)).toBe(false);
    expect(evaluateCondition({ step: 't', answered: false }, answers)).toBe(true);
    expect(evaluateCondition({ step: 'missing', answered: false }, answers)).toBe(true);
    expect(evaluateCondition({ step: 'toString', answered: true }, answers)).toBe(false);
    expect(evaluateCondition({ step: 'constructor', in: ['y'] }, answers)).toBe(true);
    expect(
      evaluateCondition(
        {
          anyOf: [
            { step: 'a', in: ['z'] },
            { step: 's', lte: 3 },
          ],
        },
        answers,
      ),
    ).toBe(true);
    expect(
      evaluateCondition(
        {
          allOf: [
            { step: 'a', in: ['z'] },
            { step: 's', lte: 3 },
          ],
        },
        answers,
      ),
    ).toBe(false);
    expect(evaluateCondition({ not: { step: 'a', answered: true } }, answers)).toBe(false);
  });
});
