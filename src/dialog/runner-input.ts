/**
 * What the runner turns people's input into: typed text into an answer (a label works like its button), a
 * control's input into the engine's answer, and start times unique per run.
 */
import { simplifyLabel } from '../lib/text.js';
import { choiceLabels } from './render.js';
import type { DialogDefinition } from './schema.js';
import type { Answer, DialogState, EngineInput } from './types.js';
import type { Translate } from '../message/types.js';

/** Typed text → an answer id by label, so "Ja" works like the button. */
export function textToAnswer(
  def: DialogDefinition,
  state: DialogState,
  text: string,
  ctx: { t: Translate; now: number },
): EngineInput {
  const step = def.steps.find((s) => s.id === state.stepId);
  if (step && (step.kind === 'single' || step.kind === 'multi')) {
    const wanted = simplifyLabel(text);
    const match = choiceLabels(def, step, ctx.t).find((c) => simplifyLabel(c.label) === wanted);
    if (match) {
      const value: Answer = step.kind === 'single' ? match.id : [match.id];
      return { type: 'answer', stepId: step.id, turn: state.turn, value, now: ctx.now };
    }
  }
  return { type: 'text', text, now: ctx.now };
}

export function answerInput(
  def: DialogDefinition,
  data: { s: string; t: number },
  input: { choice?: string; values?: string[]; text?: string },
  now: number,
): EngineInput {
  const step = def.steps.find((s) => s.id === data.s);
  let value: Answer = null;
  if (step?.kind === 'multi') value = input.values ?? (input.choice ? [input.choice] : []);
  else if (step?.kind === 'scale') value = Number(input.choice ?? input.text);
  else if (step?.kind === 'text')
    value = input.text === undefined || input.text.trim() === '' ? null : { text: input.text };
  else value = input.choice ?? null;
  return { type: 'answer', stepId: data.s, turn: data.t, value, now };
}

/**
 * Start times that differ for every run started in this process, even within one millisecond, so a run stopped
 * and restarted at once is a new run.
 */
export function createRunClock(): (now: number) => number {
  let lastMs = 0;
  let sequence = 0;
  return (now) => {
    sequence = now === lastMs ? sequence + 1 : 0;
    lastMs = now;
    return now + Math.min(sequence, 999) / 1000;
  };
}
