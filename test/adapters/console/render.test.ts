import { describe, expect, it } from 'vitest';
import { readLine, renderForConsole } from '../../../adapters/console/render.js';
import type { OutboundMessage, Route } from '../../../src/core/index.js';

const t = (key: string, vars?: Record<string, string | number>) => `${key}${vars ? JSON.stringify(vars) : ''}`;
const route: Route = { feature: 'dialog', verb: 'answer', data: { d: 'd', s: 's', t: '2' } };
const back: Route = { feature: 'dialog', verb: 'back', data: { d: 'd', s: 's', t: '2' } };

const single: OutboundMessage = {
  text: 'q',
  blocks: [
    { type: 'progress', current: 2, total: 7, label: 'Vraag 2 van 7' },
    { type: 'heading', text: 'Welke?' },
    {
      type: 'single',
      label: 'Welke?',
      choices: [
        { id: 'a', label: 'A' },
        { id: 'b', label: 'B' },
      ],
      route,
    },
    { type: 'buttons', buttons: [{ label: 'Terug', route: back }] },
  ],
};

describe('terminal rendering', () => {
  it('numbers choices, then buttons, and shows the progress line', () => {
    const { text, prompt } = renderForConsole(single, t);
    expect(text).toContain('[Vraag 2 van 7]');
    expect(text).toContain('  1. A\n  2. B\n  3. Terug');
    expect(prompt.picks).toHaveLength(3);
  });

  it('reads a number as the choice or button it names, and anything else as a message', () => {
    const { prompt } = renderForConsole(single, t);
    expect(readLine('2', prompt)).toEqual({ route, choice: 'b' });
    expect(readLine('3', prompt)).toEqual({ route: back });
    expect(readLine('9', prompt)).toBeUndefined();
    expect(readLine('1,2', prompt)).toBeUndefined();
    expect(readLine('misschien', prompt)).toBeUndefined();
  });

  it('reads "1,3" as a multi-choice answer and a number in range as a scale answer', () => {
    const multi = renderForConsole(
      {
        text: 'm',
        blocks: [
          {
            type: 'multi',
            label: 'M',
            submitLabel: 'OK',
            choices: ['a', 'b', 'c'].map((id) => ({ id, label: id })),
            route,
          },
        ],
      },
      t,
    );
    expect(readLine('1, 3', multi.prompt)).toEqual({ route, values: ['a', 'c'] });
    expect(readLine('3 3', multi.prompt)).toEqual({ route, values: ['c'] });
    const scale = renderForConsole(
      {
        text: 's',
        blocks: [{ type: 'scale', label: 'S', min: 1, max: 5, minLabel: 'laag', maxLabel: 'hoog', route }],
      },
      t,
    );
    expect(readLine('4', scale.prompt)).toEqual({ route, choice: '4' });
    expect(readLine('6', scale.prompt)).toBeUndefined();
  });

  it('reads free text as the answer to a text input, with skip as a numbered choice', () => {
    const input = renderForConsole(
      {
        text: 'i',
        blocks: [{ type: 'input', label: 'Notitie', maxLength: 280, submitLabel: 'OK', skipLabel: 'Overslaan', route }],
      },
      t,
    );
    expect(input.text).toContain('console.inputHint{"max":280}');
    expect(readLine('Het overleg liep vast', input.prompt)).toEqual({ route, text: 'Het overleg liep vast' });
    expect(readLine('1', input.prompt)).toEqual({ route, text: '' });
  });
});
