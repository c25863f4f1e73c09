import { describe, expect, it } from 'vitest';
import { decodeActionId, encodeActionId } from '../../../adapters/slack/action-id.js';
import { renderModal } from '../../../adapters/slack/modal.js';
import { escapeMrkdwn, renderMessage } from '../../../adapters/slack/render.js';
import { dialogRoute } from '../../../src/dialog/render.js';
import type { OutboundMessage, Route } from '../../../src/message/types.js';
import { blockProblems, messageProblems, mrkdwnTexts, viewProblems } from './block-kit.js';
import { translator } from './harness.js';

const label = (key: string) => translator.t('nl', key);
const at = (step: string): Route => dialogRoute('answer', 'checkin', step, 3);
const many = (n: number, size = 12) =>
  Array.from({ length: n }, (_, i) => ({ id: `c${i}`, label: `Keuze ${i} ${'x'.repeat(size)}` }));

/** Every neutral block kind, with the awkward cases: long text, many choices, hostile user text. */
const everything: OutboundMessage = {
  text: 'Vraag 3 van 7 <!channel> & co',
  locale: 'nl',
  blocks: [
    { type: 'progress', current: 3, total: 7, label: 'Vraag 3 van 7' },
    { type: 'heading', text: 'Welke rollen zie je? <!here>' },
    { type: 'heading', text: 'H'.repeat(400) },
    { type: 'text', text: 'Gewone tekst met <@U123> en <https://evil.example|klik>' },
    { type: 'text', text: 'lang '.repeat(1500), tone: 'muted' },
    { type: 'text', text: 'Let op: onveilig?', tone: 'warning' },
    {
      type: 'single',
      label: 'Kies er één',
      choices: [...many(11), { id: 'long', label: 'L'.repeat(120), description: 'Een uitleg voor schermlezers' }],
      route: at('roles'),
    },
    {
      type: 'multi',
      label: 'Kies er meer',
      choices: many(12, 80),
      selected: ['c1', 'c11'],
      submitLabel: 'Versturen',
      route: at('voices'),
    },
    {
      type: 'scale',
      label: 'Hoe ver?',
      min: 1,
      max: 9,
      minLabel: 'helemaal niet',
      maxLabel: 'volledig',
      route: at('glasl'),
    },
    {
      type: 'scale',
      label: 'Hoeveel?',
      min: 0,
      max: 30,
      minLabel: 'geen',
      maxLabel: 'heel veel',
      route: at('many'),
    },
    {
      type: 'input',
      label: 'Wil je nog iets kwijt?',
      placeholder: 'Typ hier',
      maxLength: 500,
      submitLabel: 'Versturen',
      skipLabel: 'Overslaan',
      route: at('note'),
    },
    { type: 'facts', facts: Array.from({ length: 12 }, (_, i) => ({ label: `Feit ${i}`, value: `waarde <${i}>` })) },
    {
      type: 'links',
      links: [
        { label: 'Masterclass', url: 'https://doedemocratie.nl/masterclass?a=1&b=2' },
        { label: 'Geen link', url: 'javascript:alert(1)' },
      ],
    },
    {
      type: 'buttons',
      buttons: [
        { label: 'Terug', route: dialogRoute('back', 'checkin', 'roles', 3) },
        { label: 'Stoppen', route: dialogRoute('stop', 'checkin', 'roles', 3), style: 'danger' },
      ],
    },
    { type: 'divider' },
  ],
};

describe('the Block Kit check itself', () => {
  it('catches unknown blocks, bad values and broken limits', () => {
    const problems = blockProblems([
      { type: 'sectionn', text: { type: 'mrkdwn', text: 'x' } },
      {
        type: 'actions',
        elements: [
          { type: 'button', text: { type: 'plain_text', text: 'b'.repeat(80) }, action_id: 'a', style: 'green' },
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: 't'.repeat(3001) } },
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'ok' }, action_id: 'a' }] },
    ]);
    expect(problems.join('\n')).toMatch(/unknown block type "sectionn"/);
    expect(problems.join('\n')).toMatch(/style must be equal to one of the allowed values/);
    expect(problems.join('\n')).toMatch(/button text longer than 75/);
    expect(problems.join('\n')).toMatch(/longer than 3000/);
    expect(problems.join('\n')).toMatch(/duplicate action_id/);
  });
});

describe('renderMessage', () => {
  it('renders every block kind within the KnownBlock schema and Slack limits', () => {
    const rendered = renderMessage(everything, label);
    expect(messageProblems(rendered)).toEqual([]);
  });

  it('escapes &, < and > in all dynamic text, so nothing can ping @channel/@here or link', () => {
    const rendered = renderMessage(everything, label);
    for (const text of mrkdwnTexts(rendered)) {
      expect(text).not.toMatch(/<!(channel|here|everyone)/);
      expect(text).not.toContain('<@U123>');
      expect(text.replace(/<https:\/\/doedemocratie\.nl\/[^>]*>/g, '')).not.toMatch(/<[^>]*>/);
    }
    expect(rendered.text).toBe('Vraag 3 van 7 &lt;!channel&gt; &amp; co');
    expect(JSON.stringify(rendered.blocks)).toContain('&lt;@U123&gt;');
    expect(JSON.stringify(rendered.blocks)).not.toContain('javascript:');
    expect(escapeMrkdwn('&lt;!here&gt;')).toBe('&amp;lt;!here&amp;gt;');
  });

  it('keeps the meaning in words: readable button labels, full labels when a button is shortened', () => {
    const rendered = renderMessage(everything, label);
    const json = JSON.stringify(rendered.blocks);
    expect(json).toContain('"accessibility_label":"Een uitleg voor schermlezers"');
    expect(json).toContain(`• ${'L'.repeat(120)}`);
    expect(json).toContain('1 = helemaal niet · 9 = volledig');
    expect(json).toContain('Vraag 3 van 7');
  });

  it('puts more than ten choices in two checkbox groups and a long scale in a select', () => {
    const blocks = renderMessage(everything, label).blocks as {
      type: string;
      elements?: { type: string; options?: unknown[] }[];
    }[];
    const groups = blocks.flatMap((b) => b.elements ?? []).filter((e) => e.type === 'checkboxes');
    expect(groups.map((g) => g.options?.length)).toEqual([10, 2]);
    const select = blocks.flatMap((b) => b.elements ?? []).find((e) => e.type === 'static_select');
    expect(select?.options).toHaveLength(31);
  });

  it('caps a message at 50 blocks with a note', () => {
    const long: OutboundMessage = {
      text: 'lang',
      blocks: Array.from({ length: 80 }, (_, i) => ({ type: 'text', text: `regel ${i}` })),
    };
    const rendered = renderMessage(long, label);
    expect(rendered.blocks).toHaveLength(50);
    expect(JSON.stringify(rendered.blocks.at(-1))).toContain(translator.t('nl', 'slack.truncated'));
    expect(messageProblems(rendered)).toEqual([]);
  });

  it('always sets the top-level text, even when the core left it empty', () => {
    expect(renderMessage({ text: '', blocks: [{ type: 'text', text: 'Hallo' }] }, label).text).toBe('Hallo');
  });

  it('encodes each answer in an action_id that decodes to the same payload', () => {
    const rendered = renderMessage(everything, label);
    const ids = JSON.stringify(rendered.blocks).match(/"action_id":"[^"]+"/g) ?? [];
    expect(ids.length).toBeGreaterThan(20);
    const first = decodeActionId('bb|a|dialog|answer|d=checkin&s=roles&t=3|c0');
    expect(first).toEqual({ kind: 'a', payload: { route: at('roles'), choice: 'c0' } });
    expect(ids.map((id) => id.slice(13, -1))).toContain(encodeActionId('a', at('roles'), 'c0'));
    const odd: Route = { feature: 'a|b%c', verb: 'x|y', data: { 'k|%': 'v|&=%' } };
    expect(decodeActionId(encodeActionId('a', odd, '|%'))?.payload).toEqual({ route: odd, choice: '|%' });
    expect(decodeActionId('bb|q|f|v||c')).toBeUndefined();
    expect(decodeActionId('other|a|f|v||c')).toBeUndefined();
    expect(decodeActionId('bb|a|f|v||', '{"t":5}')).toBeUndefined();
    expect(decodeActionId('bb|a|f|v|k=1|', '{"t":"3","v":["a","b"]}')?.payload).toEqual({
      route: { feature: 'f', verb: 'v', data: { k: '1' } },
      text: '3',
      values: ['a', 'b'],
    });
  });

  it('refuses to render an action_id longer than 255 characters', () => {
    const tooLong: OutboundMessage = {
      text: 'x',
      blocks: [
        {
          type: 'buttons',
          buttons: [{ label: 'x', route: { feature: 'f'.repeat(200), verb: 'v'.repeat(60) } }],
        },
      ],
    };
    expect(() => renderMessage(tooLong, label)).toThrow(RangeError);
  });
});

describe('pictures and a person’s own words', () => {
  const image = { type: 'image' as const, alt: 'Ladder van Glasl, trede 4 tot 5 gemarkeerd', text: 'Ladder: [4 5]' };

  it('an image block with its alt text when the picture has a public https address; else the line of words', () => {
    const shown = renderMessage({ text: 'x', blocks: [{ ...image, url: 'https://bot.example/images/a.png' }] }, label);
    expect(shown.blocks).toEqual([
      { type: 'image', image_url: 'https://bot.example/images/a.png', alt_text: image.alt },
    ]);
    expect(messageProblems(shown)).toEqual([]);
    // Slack cannot show inline data or a plain-http address: the words stand in.
    for (const other of [{ inline: 'data:image/png;base64,AAAA' }, { url: 'http://bot.example/a.png' }]) {
      const words = renderMessage({ text: 'x', blocks: [{ ...image, ...other }] }, label);
      expect(words.blocks).toEqual([{ type: 'context', elements: [{ type: 'mrkdwn', text: image.text }] }]);
    }
  });

  it('a verbatim text is plain text: no formatting, links or mentions', () => {
    const note = 'Bel <@U123> en *morgen* <https://x.example|hier>';
    const shown = renderMessage({ text: note, blocks: [{ type: 'text', text: note, verbatim: true }] }, label);
    expect(shown.blocks).toEqual([{ type: 'section', text: { type: 'plain_text', text: note, emoji: true } }]);
    expect(messageProblems(shown)).toEqual([]);
  });
});

describe('renderModal', () => {
  it('builds a valid modal with the step limit and short titles', () => {
    const view = renderModal(
      {
        kind: 'modal',
        teamId: 'T1',
        userId: 'U1',
        triggerId: 'trig',
        actionId: 'bb|i|dialog|answer|d=checkin&s=note&t=4|',
        spec: {
          label: 'Wil je nog iets kwijt? '.repeat(200),
          placeholder: 'p'.repeat(400),
          maxLength: 9000,
          submitLabel: 'Versturen maar, heel graag nu meteen',
          locale: 'nl',
        },
        source: {
          channel: 'D1',
          ts: '1.2',
          ephemeral: false,
          responseUrl: `http://127.0.0.1:59999/${'r'.repeat(4000)}`,
        },
      },
      label,
    );
    expect(viewProblems(view as unknown as Record<string, unknown>)).toEqual([]);
    expect(JSON.stringify(view)).toContain('"max_length":3000');
    expect(view.private_metadata).not.toContain('rrrr');
  });
});
