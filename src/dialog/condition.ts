import type { Condition } from './schema.js';
import type { Answer } from './types.js';

/** The stored answer of a step, or undefined when it has none (own properties only: ids like `constructor` are legal). */
export function answerOf(answers: Readonly<Record<string, Answer>>, stepId: string): Answer | undefined {
  return Object.hasOwn(answers, stepId) ? answers[stepId] : undefined;
}

/**
 * Whether a condition holds for the answers so far. Every property given must hold.
 * A step that was skipped (`null`) or not reached counts as not answered, so `in`, `gte` etc. are false for it.
 */
export function evaluateCondition(cond: Condition, answers: Readonly<Record<string, Answer>>): boolean {
  if (cond.step !== undefined) {
    const answer = answerOf(answers, cond.step);
    const isAnswered = answer !== undefined && answer !== null;
    if (cond.answered !== undefined && cond.answered !== isAnswered) return false;
    if (cond.in !== undefined && !matchesAny(answer, cond.in)) return false;
    if (cond.includesAll !== undefined && !matchesAll(answer, cond.includesAll)) return false;
    if (cond.gte !== undefined && !(typeof answer === 'number' && answer >= cond.gte)) return false;
    if (cond.lte !== undefined && !(typeof answer === 'number' && answer <= cond.lte)) return false;
  }
  if (cond.anyOf !== undefined && !cond.anyOf.some((sub) => evaluateCondition(sub, answers))) return false;
  if (cond.allOf !== undefined && !cond.allOf.every((sub) => evaluateCondition(sub, answers))) return false;
  if (cond.not !== undefined && evaluateCondition(cond.not, answers)) return false;
  return true;
}

function matchesAny(answer: Answer | undefined, wanted: readonly string[]): boolean {
  if (typeof answer === 'string') return wanted.includes(answer);
  if (Array.isArray(answer)) return answer.some((choice) => wanted.includes(choice));
  return false;
}

function matchesAll(answer: Answer | undefined, wanted: readonly string[]): boolean {
  if (typeof answer === 'string') return wanted.every((choice) => choice === answer);
  if (Array.isArray(answer)) return wanted.every((choice) => answer.includes(choice));
  return false;
}
