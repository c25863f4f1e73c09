import { describe, expect, it } from 'vitest';
import { advance } from '../../src/dialog/engine.js';
import { DialogDefinitionSchema } from '../../src/dialog/schema.js';

const def = DialogDefinitionSchema.parse({
  id: 'withNote',
  version: 1,
  steps: [
    { id: 'a', kind: 'single', choices: ['x', 'y'] },
    { id: 'b', kind: 'single', choices: ['x', 'y'] },
    { id: 'note', kind: 'text', maxLength: 50, optional: true, extra: true },
  ],
});

describe('an unnumbered extra step (the optional closing note)', () => {
  it('is left out of the numbered questions and shows as current 0', () => {
    let r = advance(def, undefined, { type: 'start', now: 0 });
    expect(r.outputs).toContainEqual({ kind: 'ask', stepId: 'a', current: 1, total: 2, certain: true });
    r = advance(def, r.state, { type: 'answer', stepId: 'a', turn: r.state.turn, value: 'x', now: 1 });
    expect(r.outputs).toContainEqual({ kind: 'ask', stepId: 'b', current: 2, total: 2, certain: true });
    r = advance(def, r.state, { type: 'answer', stepId: 'b', turn: r.state.turn, value: 'y', now: 2 });
    expect(r.outputs).toContainEqual({ kind: 'ask', stepId: 'note', current: 0, total: 0, certain: true });
    // Going back from the note numbers the last real question again.
    const back = advance(def, r.state, { type: 'back', now: 3 });
    expect(back.outputs).toContainEqual({ kind: 'ask', stepId: 'b', current: 2, total: 2, certain: true });
  });

  it('must be optional', () => {
    const result = DialogDefinitionSchema.safeParse({
      id: 'bad',
      version: 1,
      steps: [
        { id: 'a', kind: 'single', choices: ['x', 'y'] },
        { id: 'note', kind: 'text', maxLength: 50, optional: false, extra: true },
      ],
    });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('an extra step must be optional');
  });
});
