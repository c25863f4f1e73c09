import { checkAnswer, parseText, type Checked } from './answer-check.js';
import { answerOf } from './condition.js';
import { indexDialog, nextAfter, predictPath, walk, type DialogIndex, type Next } from './dialog-path.js';
import type { Condition, DialogDefinition } from './schema.js';
import type { Answer, DialogState, EngineInput, EngineOutput, EngineResult, Rejection } from './types.js';

export { evaluateCondition } from './condition.js';
export { predictPath } from './dialog-path.js';

const HOUR_MS = 3_600_000;

/** The fields every state has; status, stepId and outcome are added when the next step is known. */
type Progress = Pick<DialogState, 'dialogId' | 'version' | 'answers' | 'history' | 'turn' | 'startedAt' | 'expiresAt'>;

/**
 * Advance one person's dialog by one input. Pure: no I/O, no clock (time comes in `input.now`), never throws,
 * never mutates `state`. A rejected input returns the very same state object with `changed: false`; with no
 * state at all it returns a blank ended state that must not be stored.
 *
 * - `start` begins afresh (whatever `state` holds), says the opening `say` steps and asks the first question.
 * - `answer` must name the open step and the current turn (so stale or double clicks change nothing).
 * - `text` is typed input for the open question: choice ids or numbers, a number, or the text itself.
 * - `back` re-asks the previous question and forgets its answer; `stop` ends the dialog.
 * Each accepted input moves `expiresAt` to `now + expiresAfterHours`, so only idle dialogs expire.
 */
export function advance(def: DialogDefinition, state: DialogState | undefined, input: EngineInput): EngineResult {
  if (input.type === 'start') return start(def, input.now);
  if (state === undefined || !isActive(def, state)) return reject(state ?? blankState(def, input.now), 'not_active');
  if (input.type === 'stop') return stop(state);
  if (!(state.expiresAt >= input.now)) return reject(state, 'expired');
  if (state.version !== def.version) return reject(state, 'version_changed');
  const index = indexDialog(def);
  const at = index.position.get(state.stepId as string);
  const step = at === undefined ? undefined : index.steps[at];
  if (at === undefined || step === undefined || step.kind === 'say') return reject(state, 'not_active');
  switch (input.type) {
    case 'answer':
      if (input.stepId !== state.stepId || input.turn !== state.turn) return reject(state, 'stale');
      return accept(def, index, state, at, checkAnswer(index, at, step, input.value), input.now);
    case 'text':
      if (typeof input.text !== 'string') return reject(state, 'choice_expected');
      return accept(def, index, state, at, parseText(index, at, step, input.text), input.now);
    case 'back':
      return back(def, index, state, input.now);
    default:
      return reject(state, 'not_active');
  }
}

/** How many questions the person has gone through (a skipped optional text counts). */
export function questionsAnswered(state: DialogState): number {
  return state.history.length;
}

function start(def: DialogDefinition, now: number): EngineResult {
  const progress: Progress = {
    dialogId: def.id,
    version: def.version,
    answers: {},
    history: [],
    turn: 0,
    startedAt: now,
    expiresAt: now + def.expiresAfterHours * HOUR_MS,
  };
  return proceed(def, indexDialog(def), progress, { at: 0, isEnd: false });
}

function accept(
  def: DialogDefinition,
  index: DialogIndex,
  state: DialogState,
  at: number,
  checked: Checked,
  now: number,
): EngineResult {
  if (!checked.ok) return reject(state, checked.reason, checked.limit);
  const stepId = state.stepId as string;
  const answers: Record<string, Answer> = { ...state.answers };
  answers[stepId] = checked.value;
  const progress: Progress = {
    dialogId: state.dialogId,
    version: state.version,
    answers,
    history: [...state.history, stepId],
    turn: state.turn + 1,
    startedAt: state.startedAt,
    expiresAt: now + def.expiresAfterHours * HOUR_MS,
  };
  return proceed(def, index, progress, nextAfter(index, at, answers));
}

function back(def: DialogDefinition, index: DialogIndex, state: DialogState, now: number): EngineResult {
  const target = state.history[state.history.length - 1];
  if (target === undefined || !index.position.has(target)) return reject(state, 'nothing_to_undo');
  const history = state.history.slice(0, -1);
  // Rebuilt from the history, so answers always hold exactly the questions on the person's path.
  const answers: Record<string, Answer> = {};
  for (const id of history) {
    const answer = answerOf(state.answers, id);
    if (answer !== undefined) answers[id] = answer;
  }
  const next: DialogState = {
    dialogId: state.dialogId,
    version: state.version,
    stepId: target,
    answers,
    history,
    turn: state.turn + 1,
    status: 'active',
    startedAt: state.startedAt,
    expiresAt: now + def.expiresAfterHours * HOUR_MS,
  };
  return { state: next, outputs: [ask(def, next, target)], changed: true };
}

function stop(state: DialogState): EngineResult {
  const next: DialogState = {
    dialogId: state.dialogId,
    version: state.version,
    answers: state.answers,
    history: state.history,
    turn: state.turn,
    status: 'stopped',
    startedAt: state.startedAt,
    expiresAt: state.expiresAt,
  };
  return { state: next, outputs: [{ kind: 'stopped' }], changed: true };
}

/** Walk on from `from` (says, skips) to the next question or the end, and build the new state. */
function proceed(def: DialogDefinition, index: DialogIndex, progress: Progress, from: Next): EngineResult {
  const outputs: EngineOutput[] = [];
  const next = walk(index, from, progress.answers, (stepId) => outputs.push({ kind: 'say', stepId }));
  const stepId = next.isEnd ? undefined : index.steps[next.at]?.id;
  if (stepId === undefined) {
    const done: DialogState = { ...progress, status: 'done' };
    if (next.outcome === undefined) outputs.push({ kind: 'done' });
    else {
      done.outcome = next.outcome;
      outputs.push({ kind: 'done', outcome: next.outcome });
    }
    return { state: done, outputs, changed: true };
  }
  const state: DialogState = {
    dialogId: progress.dialogId,
    version: progress.version,
    stepId,
    answers: progress.answers,
    history: progress.history,
    turn: progress.turn,
    status: 'active',
    startedAt: progress.startedAt,
    expiresAt: progress.expiresAt,
  };
  outputs.push(ask(def, state, stepId));
  return { state, outputs, changed: true };
}

function ask(def: DialogDefinition, state: DialogState, stepId: string): Extract<EngineOutput, { kind: 'ask' }> {
  const index = indexDialog(def);
  const isExtra = (id: string) => {
    const step = index.steps[index.position.get(id) ?? -1];
    return step?.kind === 'text' && step.extra === true;
  };
  // Extras (an optional closing note) are not numbered: they show as "tot slot" (current 0).
  if (isExtra(stepId)) return { kind: 'ask', stepId, current: 0, total: 0, certain: true };
  let answered = 0;
  for (const id of state.history) if (!isExtra(id)) answered += 1;
  const current = answered + 1;
  let predicted = 0;
  for (const id of predictPath(def, state.answers)) if (!isExtra(id)) predicted += 1;
  // The predicted path always contains the path taken so far (rules only look back and jump forward);
  // max() only guards hand-built definitions that skipped the schema.
  const certain = pathIsKnown(index, index.position.get(stepId) ?? 0, state.answers);
  return { kind: 'ask', stepId, current, total: Math.max(current, predicted), certain };
}

/** The steps a condition reads, at any depth. */
function stepsRead(cond: Condition, into: Set<string> = new Set()): Set<string> {
  if (cond.step !== undefined) into.add(cond.step);
  for (const sub of [...(cond.anyOf ?? []), ...(cond.allOf ?? []), ...(cond.not ? [cond.not] : [])])
    stepsRead(sub, into);
  return into;
}

/**
 * True when the rest of the path is fixed: no condition from step `at` on (a later step's `when`, a jump that is
 * no early end) reads an answer not given yet. Early ends with an outcome (the safety route) do not count: they
 * stop the dialog, they are not another way through it.
 */
function pathIsKnown(index: DialogIndex, at: number, answers: Readonly<Record<string, Answer>>): boolean {
  const unanswered = (cond: Condition) => [...stepsRead(cond)].some((id) => answerOf(answers, id) === undefined);
  for (let i = at; i < index.steps.length; i++) {
    const step = index.steps[i];
    if (step === undefined) continue;
    // Only questions count: a `say` that may or may not show changes no number.
    if (i > at && step.kind !== 'say' && step.when !== undefined && unanswered(step.when)) return false;
    for (const rule of step.next ?? []) if (rule.outcome === undefined && unanswered(rule.when)) return false;
  }
  return true;
}

/** The `ask` output for the open question of an active state: what to show again after a restart or a hint. */
export function askAgain(
  def: DialogDefinition,
  state: DialogState,
): Extract<EngineOutput, { kind: 'ask' }> | undefined {
  return state.stepId === undefined ? undefined : ask(def, state, state.stepId);
}

function reject(state: DialogState, reason: Rejection, limit?: number): EngineResult {
  const output: EngineOutput = { kind: 'rejected', reason };
  if (state.stepId !== undefined && state.status === 'active') output.stepId = state.stepId;
  if (limit !== undefined) output.limit = limit;
  return { state, outputs: [output], changed: false };
}

function isActive(def: DialogDefinition, state: DialogState): boolean {
  return (
    typeof state === 'object' &&
    state !== null &&
    state.status === 'active' &&
    state.dialogId === def.id &&
    typeof state.stepId === 'string' &&
    typeof state.turn === 'number' &&
    Array.isArray(state.history) &&
    typeof state.answers === 'object' &&
    state.answers !== null
  );
}

/** Returned (never stored) when an input arrives with no state at all. */
function blankState(def: DialogDefinition, now: number): DialogState {
  return {
    dialogId: def.id,
    version: def.version,
    answers: {},
    history: [],
    turn: 0,
    status: 'stopped',
    startedAt: now,
    expiresAt: now,
  };
}
