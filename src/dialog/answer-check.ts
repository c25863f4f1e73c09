import type { DialogIndex } from './dialog-path.js';
import type { QuestionStep } from './schema.js';
import type { Answer, Rejection } from './types.js';

/** An answer as it will be stored, or why it is refused. */
export type Checked = { ok: true; value: Answer } | { ok: false; reason: Rejection; limit?: number };

/** Typed text longer than this cannot be a list of choices or a number. */
const MAX_CHOICE_TEXT = 200;
/** Control characters other than tab and newline are dropped from free text (they only garble display and logs). */
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;
const SEPARATORS = /[\s,;]+/;
const INTEGER = /^[+-]?\d{1,6}$/;

const fail = (reason: Rejection, limit?: number): Checked =>
  limit === undefined ? { ok: false, reason } : { ok: false, reason, limit };

/** Check a button or API answer for the question at position `at`. Never throws, whatever `value` is. */
export function checkAnswer(index: DialogIndex, at: number, step: QuestionStep, value: unknown): Checked {
  switch (step.kind) {
    case 'single':
      return typeof value === 'string' && index.choices[at]?.has(value) === true
        ? { ok: true, value }
        : fail('invalid_choice');
    case 'multi':
      return checkMulti(index, at, step, value);
    case 'scale':
      return typeof value === 'number' && Number.isInteger(value) && value >= step.min && value <= step.max
        ? { ok: true, value }
        : fail('out_of_range');
    case 'text':
      return checkText(step, value);
  }
}

function checkMulti(
  index: DialogIndex,
  at: number,
  step: Extract<QuestionStep, { kind: 'multi' }>,
  value: unknown,
): Checked {
  if (!Array.isArray(value)) return fail('invalid_choice');
  const choices = index.choices[at];
  const exclusive = index.exclusive[at];
  const seen = new Set<string>();
  let hasExclusive = false;
  for (const item of value as unknown[]) {
    if (typeof item !== 'string' || choices?.has(item) !== true || seen.has(item)) return fail('invalid_choice');
    seen.add(item);
    if (exclusive?.has(item) === true) hasExclusive = true;
  }
  if (hasExclusive && value.length > 1) return fail('exclusive_combined');
  // An exclusive choice alone ("none of these") is a complete answer even when min asks for more.
  if (value.length < step.min && !hasExclusive) return fail('too_few', step.min);
  if (step.max !== undefined && value.length > step.max) return fail('too_many', step.max);
  return { ok: true, value: (value as string[]).slice() };
}

function checkText(step: Extract<QuestionStep, { kind: 'text' }>, value: unknown): Checked {
  let raw: string;
  if (value === null || value === undefined) raw = '';
  else if (typeof value === 'string') raw = value;
  else if (typeof value === 'object' && typeof (value as { text?: unknown }).text === 'string')
    raw = (value as { text: string }).text;
  else return fail('invalid_choice');
  if (raw.length > step.maxLength * 4) return fail('too_long', step.maxLength);
  const text = raw.replace(CONTROL_CHARS, '').trim();
  if (text === '') return step.optional ? { ok: true, value: null } : fail('empty');
  if (text.length > step.maxLength) return fail('too_long', step.maxLength);
  return { ok: true, value: { text } };
}

/**
 * Turn free text typed while a question is open into an answer: choice ids or their numbers ("2", "1,3", "1 3")
 * for single and multi, a whole number for a scale, the text itself for a text question.
 * Choice labels are unknown here; a runner may translate them into ids first.
 */
export function parseText(index: DialogIndex, at: number, step: QuestionStep, text: string): Checked {
  if (step.kind === 'text') return checkText(step, text);
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.length > MAX_CHOICE_TEXT) return fail('choice_expected');
  if (step.kind === 'scale')
    return INTEGER.test(trimmed) ? checkAnswer(index, at, step, Number(trimmed)) : fail('choice_expected');
  if (step.kind === 'single') {
    const choice = matchChoice(index, at, step, trimmed);
    return choice === undefined ? fail('choice_expected') : checkAnswer(index, at, step, choice);
  }
  const picked: string[] = [];
  for (const token of trimmed.split(SEPARATORS)) {
    if (token === '') continue;
    const choice = matchChoice(index, at, step, token);
    if (choice === undefined) return fail('choice_expected');
    if (!picked.includes(choice)) picked.push(choice);
  }
  return picked.length === 0 ? fail('choice_expected') : checkAnswer(index, at, step, picked);
}

function matchChoice(index: DialogIndex, at: number, step: { choices: string[] }, token: string): string | undefined {
  const byId = index.choicesByLowerId[at]?.get(token.toLowerCase());
  if (byId !== undefined) return byId;
  if (!/^\d{1,2}$/.test(token)) return undefined;
  return step.choices[Number(token) - 1];
}
