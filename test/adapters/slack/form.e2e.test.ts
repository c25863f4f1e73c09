/**
 * The announcement form through Slack with the real bot: signed requests to the real receiver, the Web API faked by
 * nock. An organiser's slash command opens the form as a modal; a submission leads to a preview; a submission with
 * a mistake keeps the modal open with what was typed and the reason under the field; anyone else is refused
 * politely; a tampered submission is answered kindly, never with a 4xx or a crash.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/app.js';
import { openMemoryStore } from '../../../src/store/create-store.js';
import { makeBot } from '../../support/make-bot.js';
import { slashCommand, TEST_TEAM } from '../../support/slack-signed-request.js';
import { viewProblems } from './block-kit.js';
import { fakeSlackApi, type SlackHarness, startSlack, waitFor } from './harness.js';

const ORGANISER = 'U0ORGANISER';
const SOMEONE = 'U0RAADSLID';
const DAY_MS = 86_400_000;

type Json = Record<string, unknown>;

let core: Core;
let slack: SlackHarness;
let api: ReturnType<typeof fakeSlackApi>;

beforeEach(async () => {
  api = fakeSlackApi(nock);
  core = await makeBot({ env: { ORGANISERS: `slack:${ORGANISER}` } });
});
afterEach(async () => {
  await slack.close();
  await core.pipeline.drain();
  await core.store.close();
});

async function settle(): Promise<void> {
  await slack.adapter.drain();
  await core.pipeline.drain();
}

let seq = 0;
/** The form modal submitted as Slack posts it: `values` by field id, in the element shape of each field. */
function submission(
  user: string,
  privateMetadata: string,
  values: Record<string, Json>,
  view: { id: string; hash: string } = { id: `VFORM${seq + 1}`, hash: `hash${seq + 1}` },
): string {
  seq += 1;
  const state: Record<string, Record<string, Json>> = {};
  for (const [field, value] of Object.entries(values)) state[field] = { [field]: value };
  const payload = {
    type: 'view_submission',
    team: { id: TEST_TEAM, domain: 'gemeente' },
    user: { id: user, team_id: TEST_TEAM },
    api_app_id: 'A0TEST',
    trigger_id: `trig.form.${seq}`,
    view: {
      ...view,
      type: 'modal',
      callback_id: 'bb-form',
      private_metadata: privateMetadata,
      state: { values: state },
    },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

const text = (value: string): Json => ({ type: 'plain_text_input', value });
const channels = (ids: string[]): Json => ({ type: 'multi_conversations_select', selected_conversations: ids });
const at = (ms: number): Json => ({ type: 'datetimepicker', selected_date_time: Math.floor(ms / 1000) });
const none: Json = { type: 'checkboxes', selected_options: [] };

/** The organiser types the slash command; resolves with the modal Slack was asked to open. */
async function openForm(): Promise<Json> {
  const before = api.of('views.open').length;
  const response = await slack.post(slashCommand(ORGANISER, 'aankondiging'));
  expect(response.status).toBe(200);
  await waitFor(() => api.of('views.open').length > before, 3_000, 'views.open');
  await settle();
  return JSON.parse(api.of('views.open').at(-1)!.body.view!) as Json;
}

/** Every input block of a view by its block id. */
function inputs(view: Json): Map<string, Json> {
  const found = new Map<string, Json>();
  for (const block of view.blocks as Json[]) if (block.type === 'input') found.set(String(block.block_id), block);
  return found;
}

/** The element of one input block (empty when there is none, so the assertion on it fails). */
const elementOf = (fields: Map<string, Json>, id: string): Json => (fields.get(id)?.element as Json | undefined) ?? {};

/** Messages in the person's 1:1 chat, newest last. */
const inChat = (user: string) => api.messages().filter((m) => m.channel === `D${user}`);

describe('the announcement form on Slack', () => {
  beforeEach(async () => {
    slack = await startSlack({ core });
  });
  it("an organiser's slash command opens a valid modal with every field", async () => {
    const view = await openForm();
    expect(viewProblems(view)).toEqual([]);
    expect(view).toMatchObject({ type: 'modal', callback_id: 'bb-form', title: { text: 'Nieuwe aankondiging' } });
    const fields = inputs(view);
    expect([...fields.keys()]).toEqual(expect.arrayContaining(['title', 'text', 'audience', 'channels', 'sendAt']));
    expect(elementOf(fields, 'text').type).toBe('plain_text_input');
    expect(elementOf(fields, 'channels').type).toBe('multi_conversations_select');
    expect(elementOf(fields, 'sendAt').type).toBe('datetimepicker');
    // Nothing is posted in the channel the command was typed in.
    expect(api.of('chat.postMessage').filter((c) => c.body.channel === 'C0CHANNEL')).toEqual([]);
  });

  it('a submission with text, channels and a time leads to a preview in the 1:1 chat', async () => {
    const view = await openForm();
    const sendAt = Date.now() + 2 * DAY_MS;
    const response = await slack.post(
      submission(ORGANISER, String(view.private_metadata), {
        title: text('Masterclass depolarisatie'),
        text: text('Doe mee met de masterclass over polarisatie in de raad.'),
        audience: none,
        channels: channels(['C0RAAD', 'C0GRIFFIE']),
        sendAt: at(sendAt),
      }),
    );
    expect(response.status).toBe(200);
    // Accepted: the modal closes (an empty answer, or one without errors).
    const body = await response.text();
    if (body !== '') expect(JSON.parse(body)).not.toHaveProperty('response_action', 'errors');
    await settle();
    const preview = inChat(ORGANISER).find((m) => m.text === 'Voorbeeld: zo ziet het eruit');
    expect(preview).toBeDefined();
    const shown = JSON.stringify(preview!.blocks);
    expect(shown).toContain('Masterclass depolarisatie');
    expect(shown).toContain('Doe mee met de masterclass over polarisatie in de raad.');
    expect(shown).toContain('Wordt verstuurd op');
    expect(shown).toContain('Inplannen');
    expect(shown).toContain('Aanpassen');
  });

  it('a submission without text keeps the modal open with what was typed, the reason under the field', async () => {
    const view = await openForm();
    const opened = api.of('views.open').length;
    const response = await slack.post(
      submission(ORGANISER, String(view.private_metadata), {
        title: text('Masterclass'),
        text: text(''),
        audience: none,
        channels: channels(['C0RAAD']),
        sendAt: at(Date.now() + DAY_MS),
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      response_action: 'errors',
      errors: { text: 'Schrijf eerst een tekst voor de aankondiging.' },
    });
    await settle();
    // Slack keeps the modal and everything in it: no second modal, no preview.
    expect(api.of('views.open')).toHaveLength(opened);
    expect(inChat(ORGANISER).filter((m) => m.text === 'Voorbeeld: zo ziet het eruit')).toEqual([]);
    // What was typed is kept too: the form opened again later shows it.
    const again = inputs(await openForm());
    expect(elementOf(again, 'title').initial_value).toBe('Masterclass');
    expect(elementOf(again, 'channels').initial_conversations).toEqual(['C0RAAD']);
  });

  it('after a refusal, the corrected submission of the same modal leads to the preview', async () => {
    const view = await openForm();
    // Slack keeps the view (its id and hash) when it shows errors: only the trigger differs between submissions.
    const same = { id: 'VSAME', hash: 'hashsame' };
    const values = { audience: none, channels: channels(['C0RAAD']) };
    const first = await slack.post(
      submission(ORGANISER, String(view.private_metadata), { ...values, text: text('') }, same),
    );
    expect(await first.json()).toMatchObject({ response_action: 'errors' });
    const second = await slack.post(
      submission(ORGANISER, String(view.private_metadata), { ...values, text: text('Nu met tekst.') }, same),
    );
    expect(second.status).toBe(200);
    await settle();
    const preview = inChat(ORGANISER).find((m) => m.text === 'Voorbeeld: zo ziet het eruit');
    expect(JSON.stringify(preview?.blocks)).toContain('Nu met tekst.');
  });

  it('a time in the past is refused under the time field, the text stays', async () => {
    const view = await openForm();
    const response = await slack.post(
      submission(ORGANISER, String(view.private_metadata), {
        title: text(''),
        text: text('Doe mee met de masterclass.'),
        audience: none,
        channels: channels(['C0RAAD']),
        sendAt: at(Date.now() - DAY_MS),
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      response_action: 'errors',
      errors: { sendAt: 'Dat moment is al voorbij. Kies een tijd in de toekomst, of laat het leeg voor meteen.' },
    });
    await settle();
    const again = inputs(await openForm());
    expect(elementOf(again, 'text').initial_value).toBe('Doe mee met de masterclass.');
  });

  it('someone who is no organiser is refused politely, only they see it, and no form opens', async () => {
    const response = await slack.post(slashCommand(SOMEONE, 'aankondiging'));
    expect(response.status).toBe(200);
    await settle();
    expect(api.of('views.open')).toEqual([]);
    const answers = api.of('response_url');
    expect(answers).toHaveLength(1);
    expect(answers[0]?.body).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(answers[0]?.body)).toContain('Dit is alleen voor organisatoren.');
  });

  it('someone who is no organiser cannot submit the form either', async () => {
    const view = await openForm();
    const response = await slack.post(
      submission(SOMEONE, String(view.private_metadata), {
        text: text('Ongevraagd'),
        audience: none,
        channels: channels(['C0RAAD']),
      }),
    );
    expect(response.status).toBe(200);
    await settle();
    expect(inChat(SOMEONE).map((m) => m.text)).toEqual([expect.stringContaining('Dit is alleen voor organisatoren.')]);
    expect(inChat(ORGANISER).filter((m) => m.text === 'Voorbeeld: zo ziet het eruit')).toEqual([]);
  });

  it.each([
    ['not JSON', '{not json'],
    ['no route', JSON.stringify({ c: 'C0CHANNEL' })],
    ['a route that is no route', JSON.stringify({ a: 'bb|a|%%%' })],
    ['far too long', JSON.stringify({ a: 'x'.repeat(5000) })],
  ])('a tampered private_metadata (%s) is answered kindly, with no 4xx and no crash', async (_name, metadata) => {
    const response = await slack.post(submission(ORGANISER, metadata, { text: text('Doe mee') }));
    expect(response.status).toBe(200);
    await settle();
    expect(inChat(ORGANISER).map((m) => m.text)).toEqual([
      'Deze knop werkt niet meer. Kies Help om te zien wat ik wel kan.',
    ]);
    // The bot still works: the organiser can open the form again.
    expect(viewProblems(await openForm())).toEqual([]);
  });
});

describe('the announcement form on Slack, when the bot is slower than Slack waits', () => {
  let slow = false;
  beforeEach(async () => {
    // A store that takes 200 ms per write once the form is open, and 20 ms of patience for the answer.
    await core.store.close();
    const store = openMemoryStore();
    const set = store.set.bind(store);
    store.set = async (...args: Parameters<typeof store.set>) => {
      if (slow) await new Promise((resolve) => setTimeout(resolve, 200));
      return set(...args);
    };
    core = await makeBot({ env: { ORGANISERS: `slack:${ORGANISER}` }, store });
    slack = await startSlack({ core, tuning: { viewAnswerBudgetMs: 20 } });
  });

  it('the modal closes on time and opens again with what was typed and the reason', async () => {
    const view = await openForm();
    const opened = api.of('views.open').length;
    slow = true;
    const response = await slack.post(
      submission(ORGANISER, String(view.private_metadata), {
        title: text('Masterclass'),
        text: text(''),
        audience: none,
        channels: channels(['C0RAAD']),
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    await waitFor(() => api.of('views.open').length > opened, 3_000, 'the form again');
    await settle();
    const again = JSON.parse(api.of('views.open').at(-1)!.body.view!) as Json;
    expect(viewProblems(again)).toEqual([]);
    expect(JSON.stringify(again.blocks)).toContain('Schrijf eerst een tekst voor de aankondiging.');
    expect(elementOf(inputs(again), 'title').initial_value).toBe('Masterclass');
  });
});
