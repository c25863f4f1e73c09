import { fileURLToPath } from 'node:url';
import { advance } from '../../src/dialog/engine.js';
import { loadDialogs } from '../../src/dialog/loader.js';
import type { DialogDefinition } from '../../src/dialog/schema.js';
import type { Answer, DialogState, EngineInput, EngineOutput, EngineResult } from '../../src/dialog/types.js';

export const DIALOGS_DIR = fileURLToPath(new URL('../fixtures/dialogs/', import.meta.url));
export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
export const HOUR_MS = 3_600_000;

/** The test-only sample dialog (test/fixtures/dialogs/sample.yaml), loaded through the real loader. */
export function sampleDialog(): DialogDefinition {
  const def = loadDialogs(DIALOGS_DIR).get('sample');
  if (def === undefined) throw new Error('the sample dialog did not load as "sample"');
  return def;
}

type WithoutNow<T> = T extends unknown ? Omit<T, 'now'> : never;

/** A key-level transcript driver: one person talking to the engine, with a clock the test moves. */
export class Talk {
  state: DialogState | undefined;
  now = T0;
  last!: EngineResult;

  constructor(readonly def: DialogDefinition) {}

  send(input: WithoutNow<EngineInput>): EngineOutput[] {
    this.last = advance(this.def, this.state, { ...input, now: this.now } as EngineInput);
    if (this.last.changed) this.state = this.last.state;
    return this.last.outputs;
  }

  start(): EngineOutput[] {
    return this.send({ type: 'start' });
  }

  /** Press a button (or send a value) for the open question, with the current turn. */
  answer(value: Answer): EngineOutput[] {
    const state = this.state;
    if (state?.stepId === undefined) throw new Error('no open question');
    return this.send({ type: 'answer', stepId: state.stepId, turn: state.turn, value });
  }

  says(text: string): EngineOutput[] {
    return this.send({ type: 'text', text });
  }
}
