/** The neutral form on every platform: a Slack modal, an Adaptive Card with inputs, prompts in the terminal. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createConsoleAdapter } from '../../adapters/console/index.js';
import { readFormAnswer } from '../../adapters/console/render.js';
import { formViewAnswer, readFormSubmission, renderFormModal } from '../../adapters/slack/form.js';
import { renderMessage } from '../../adapters/slack/render.js';
import { toInboundEvent } from '../../adapters/teams/parse.js';
import { renderCard } from '../../adapters/teams/render.js';
import type { Block, InboundEvent, OutboundMessage } from '../../src/core/index.js';
import { messageProblems, viewProblems } from './slack/block-kit.js';
import { cardProblems } from './teams/support/validate-card.js';

const form: Extract<Block, { type: 'form' }> = {
  type: 'form',
  title: 'Nieuwe aankondiging',
  error: 'Schrijf eerst een tekst.',
  submitLabel: 'Voorbeeld bekijken',
  route: { feature: 'announcements', verb: 'submit' },
  openRoute: { feature: 'core', verb: 'command', data: { name: 'announce' } },
  fields: [
    { id: 'title', label: 'Kop', kind: 'text', maxLength: 150, value: 'Masterclass' },
    { id: 'text', label: 'Tekst', kind: 'textarea', required: true, maxLength: 3000 },
    {
      id: 'audience',
      label: 'Naar wie?',
      kind: 'multichoice',
      choices: [
        { id: 'allChannels', label: 'Alle kanalen' },
        { id: 'subscribers', label: 'Abonnees' },
      ],
      value: ['subscribers'],
    },
    {
      id: 'topic',
      label: 'Onderwerp',
      kind: 'choice',
      choices: [
        { id: '*', label: 'Alle' },
        { id: 'wind', label: 'Wind' },
      ],
      value: '*',
    },
    { id: 'channels', label: 'Kanalen', kind: 'channels', hint: 'Openbare kanalen gaan altijd.' },
    { id: 'sendAt', label: 'Wanneer?', kind: 'datetime', value: '2026-12-01T13:00:00.000Z' },
  ],
};
const message: OutboundMessage = { text: 'Nieuwe aankondiging', blocks: [form], locale: 'nl' };

describe('a form on Slack', () => {
  it('is a valid modal with every field, what was typed and the reason, and reads back into fields', () => {
    const view = renderFormModal(form, 'C123');
    expect(viewProblems(view as never)).toEqual([]);
    const json = JSON.stringify(view);
    for (const expected of [
      'Masterclass',
      'Schrijf eerst een tekst.',
      'multi_conversations_select',
      'datetimepicker',
      'checkboxes',
    ])
      expect(json).toContain(expected);
    const submitted = {
      ...view,
      state: {
        values: {
          title: { v: { type: 'plain_text_input', value: 'Masterclass' } },
          text: { v: { type: 'plain_text_input', value: 'Doe mee' } },
          audience: {
            v: { type: 'checkboxes', selected_options: [{ value: 'subscribers' }, { value: 'allChannels' }] },
          },
          topic: { v: { type: 'static_select', selected_option: { value: 'wind' } } },
          channels: { v: { type: 'multi_conversations_select', selected_conversations: ['C1', 'C2'] } },
          sendAt: { v: { type: 'datetimepicker', selected_date_time: 1_796_130_000 } },
        },
      },
    };
    expect(readFormSubmission(submitted as never)).toEqual({
      channel: 'C123',
      action: {
        route: form.route,
        fields: {
          title: 'Masterclass',
          text: 'Doe mee',
          audience: ['subscribers', 'allChannels'],
          topic: 'wind',
          channels: ['C1', 'C2'],
          sendAt: new Date(1_796_130_000_000).toISOString(),
        },
      },
    });
    expect(readFormSubmission({ private_metadata: 'not json' })).toBeUndefined();
  });

  it('refused on submit: the reason under its field, or else the form again with the reason and what was typed', () => {
    expect(formViewAnswer({ ...form, errorField: 'text' }, 'C123')).toEqual({
      response_action: 'errors',
      errors: { text: 'Schrijf eerst een tekst.' },
    });
    // A reason about no field of this form (or none named): the whole modal again, still valid, nothing lost.
    for (const errorField of [undefined, 'nosuchfield']) {
      const answer = formViewAnswer({ ...form, ...(errorField ? { errorField } : {}) }, 'C123');
      expect(answer.response_action).toBe('update');
      const view = (answer as { view: Record<string, unknown> }).view;
      expect(viewProblems(view as never)).toEqual([]);
      expect(JSON.stringify(view)).toContain('Schrijf eerst een tekst.');
      expect(JSON.stringify(view)).toContain('"initial_value":"Masterclass"');
    }
  });

  it('shows in a message as a button that asks for the form again', () => {
    const rendered = renderMessage(message, (key) => (key === 'slack.form.open' ? 'Formulier openen' : key));
    expect(messageProblems(rendered)).toEqual([]);
    const json = JSON.stringify(rendered.blocks);
    expect(json).toContain('Formulier openen');
    expect(json).toContain('bb|a|core|command|name=announce');
  });
});

describe('a form on Teams', () => {
  it('is a valid Adaptive Card with inputs, and its submission carries the fields', () => {
    const card = renderCard(message);
    expect(cardProblems(card)).toEqual([]);
    const json = JSON.stringify(card);
    for (const expected of [
      'Input.Text',
      'Input.ChoiceSet',
      'Input.Date',
      'Input.Time',
      'Action.Execute',
      'Masterclass',
    ])
      expect(json).toContain(expected);
    const data = {
      verb: 'bb',
      bb: { route: form.route, form: true },
      bb_f_title: 'Masterclass',
      bb_f_text: 'Doe mee',
      bb_f_audience: 'subscribers,allChannels',
      bb_f_sendAt__date: '2026-12-01',
      bb_f_sendAt__time: '14:00',
    };
    const event = toInboundEvent({
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: 'a1',
      channelId: 'msteams',
      serviceUrl: 'http://127.0.0.1:1/',
      from: { id: '29:u', name: '', aadObjectId: 'aad-1' },
      recipient: { id: '28:bot', name: '' },
      conversation: { id: 'a:c', conversationType: 'personal', isGroup: false, name: '' } as never,
      localTimezone: 'Europe/Amsterdam',
      value: { action: { type: 'Action.Execute', verb: 'bb', data } },
    } as never) as Extract<InboundEvent, { kind: 'action' }>;
    expect(event.action.fields).toEqual({
      title: 'Masterclass',
      text: 'Doe mee',
      audience: 'subscribers,allChannels',
      sendAt: '2026-12-01T14:00',
    });
    expect(event.timeZone).toBe('Europe/Amsterdam');
  });
});

describe('a form in the terminal', () => {
  it('asks the fields one by one and submits them together, keeping a value with "."', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (c: Buffer) => {
      shown += c.toString();
    });
    const received: InboundEvent[] = [];
    const adapter = createConsoleAdapter({ input, output, translate: (_l, key) => key, defaultLocale: 'nl' });
    await adapter.start({
      accept: async () => true,
      finish: async () => undefined,
      handle: async () => undefined,
      async receive(event, io) {
        received.push(event);
        if (event.kind === 'install') await io.send(message);
        return true;
      },
      isCommand: () => false,
      vault: { get: async () => undefined, set: async () => undefined, delete: async () => undefined },
      defaultLocale: 'nl',
    });
    for (const line of ['.', 'Doe mee', '7', '2', '2', '', 'C1', '2026-12-01 14:00']) input.write(`${line}\n`);
    input.end();
    await adapter.finished;
    const submitted = received.find((e) => e.kind === 'action') as Extract<InboundEvent, { kind: 'action' }>;
    expect(submitted.action).toEqual({
      route: form.route,
      fields: {
        title: 'Masterclass',
        text: 'Doe mee',
        audience: ['subscribers'],
        topic: 'wind',
        channels: 'C1',
        sendAt: '2026-12-01 14:00',
      },
    });
    expect(shown).toContain('[1/6] Kop');
    expect(shown).toContain('console.formAgain');
    expect(readFormAnswer(form.fields[3]!, '9')).toBeUndefined();
  });
});
