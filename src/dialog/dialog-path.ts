import { evaluateCondition } from './condition.js';
import { END, type DialogDefinition, type Step } from './schema.js';
import type { Answer } from './types.js';

/** Lookups computed once per definition, so a turn never scans the step list for ids or choices. */
export interface DialogIndex {
  readonly steps: readonly Step[];
  readonly position: ReadonlyMap<string, number>;
  /** Per step: its choices (single/multi), else undefined. */
  readonly choices: ReadonlyArray<ReadonlySet<string> | undefined>;
  /** Per step: lower-cased choice id → choice id, for typed answers. */
  readonly choicesByLowerId: ReadonlyArray<ReadonlyMap<string, string> | undefined>;
  /** Per step: its exclusive choices (multi), else undefined. */
  readonly exclusive: ReadonlyArray<ReadonlySet<string> | undefined>;
  /** Per step and rule: the target position, or -1 for `$end`. */
  readonly ruleTargets: ReadonlyArray<readonly number[]>;
}

const cache = new WeakMap<DialogDefinition, DialogIndex>();

/** The index of a (schema-checked) definition, built on first use and cached by object identity. */
export function indexDialog(def: DialogDefinition): DialogIndex {
  let index = cache.get(def);
  if (index === undefined) {
    index = buildIndex(def);
    cache.set(def, index);
  }
  return index;
}

function buildIndex(def: DialogDefinition): DialogIndex {
  const position = new Map<string, number>();
  for (const [i, step] of def.steps.entries()) position.set(step.id, i);
  return {
    steps: def.steps,
    position,
    choices: def.steps.map((s) => ('choices' in s ? new Set(s.choices) : undefined)),
    choicesByLowerId: def.steps.map((s) =>
      'choices' in s ? new Map(s.choices.map((c) => [c.toLowerCase(), c])) : undefined,
    ),
    exclusive: def.steps.map((s) => (s.kind === 'multi' ? new Set(s.exclusive ?? []) : undefined)),
    // A target that is unknown or not forward (only possible without the schema) ends the dialog rather than looping.
    ruleTargets: def.steps.map((s, i) =>
      (s.next ?? []).map((rule) => {
        const target = rule.goto === END ? -1 : (position.get(rule.goto) ?? -1);
        return target > i ? target : -1;
      }),
    ),
  };
}

/** Where the dialog goes after step `at`: a position (possibly past the last step), or the end with an outcome. */
export interface Next {
  at: number;
  isEnd: boolean;
  outcome?: string;
}

/** Follow the first matching `next` rule of step `at`, or go on to the following step. */
export function nextAfter(index: DialogIndex, at: number, answers: Readonly<Record<string, Answer>>): Next {
  const rules = index.steps[at]?.next;
  if (rules !== undefined) {
    const targets = index.ruleTargets[at] ?? [];
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r];
      if (rule === undefined || !evaluateCondition(rule.when, answers)) continue;
      const target = targets[r] ?? -1;
      if (target >= 0) return { at: target, isEnd: false };
      return rule.outcome === undefined ? { at: -1, isEnd: true } : { at: -1, isEnd: true, outcome: rule.outcome };
    }
  }
  return { at: at + 1, isEnd: false };
}

/**
 * From position `from`, pass `say` steps (reporting each to `onSay`) and skip steps whose `when` fails,
 * until the next question (its position) or the end (`at: -1`).
 */
export function walk(
  index: DialogIndex,
  from: Next,
  answers: Readonly<Record<string, Answer>>,
  onSay?: (stepId: string) => void,
): Next {
  let next = from;
  while (!next.isEnd) {
    const step = index.steps[next.at];
    if (step === undefined) return { at: -1, isEnd: true };
    if (step.when !== undefined && !evaluateCondition(step.when, answers)) {
      next = { at: next.at + 1, isEnd: false };
    } else if (step.kind === 'say') {
      onSay?.(step.id);
      next = nextAfter(index, next.at, answers);
    } else {
      return next;
    }
  }
  return next;
}

/**
 * The question steps a person will be asked, in order, given the answers so far. Conditions on questions not
 * answered yet evaluate as "not answered", so the prediction can grow or shrink as answers come in.
 */
export function predictPath(def: DialogDefinition, answers: Readonly<Record<string, Answer>>): string[] {
  const index = indexDialog(def);
  const path: string[] = [];
  let next = walk(index, { at: 0, isEnd: false }, answers);
  while (!next.isEnd) {
    const step = index.steps[next.at];
    if (step === undefined) break;
    path.push(step.id);
    next = walk(index, nextAfter(index, next.at, answers), answers);
  }
  return path;
}
