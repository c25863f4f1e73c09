/**
 * The whole check-in through Slack with the real bot: signed requests in, the Web API faked by nock, and every
 * message the bot sends validated as Block Kit. The driver answers whatever question it is shown.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/app.js';
import { createPseudonymizer } from '../../../src/crypto/pseudonym.js';
import { dialogKey } from '../../../src/dialog/runner.js';
import { captureLogger } from '../../support/capture-logger.js';
import { makeBot, TEST_PSEUDONYM_KEY } from '../../support/make-bot.js';
import {
  appMention,
  blockAction,
  directMessage,
  slashCommand,
  TEST_TEAM,
  viewSubmission,
} from '../../support/slack-signed-request.js';
import { messageProblems, viewProblems } from './block-kit.js';
import { agreeToConsent, fakeSlackApi, startSlack, translator, waitFor, type SlackHarness } from './harness.js';

const NOTE_CANARY = 'canary-notitie-7f3a';
const personOf = createPseudonymizer(TEST_PSEUDONYM_KEY);

type Element = { type: string; action_id?: string; value?: string; options?: { value: string }[] };
type SlackMessage = ReturnType<ReturnType<typeof fakeSlackApi>['messages']>[number];

let core: Core;
let slack: SlackHarness;
let api: ReturnType<typeof fakeSlackApi>;
const capture = captureLogger({ level: 'debug' });

beforeEach(async () => {
  capture.clear();
  api = fakeSlackApi(nock);
  core = await makeBot({ log: capture.log });
  slack = await startSlack({ core, log: capture.log });
});
afterEach(async () => {
  await slack.close();
  await core.pipeline.drain();
  await core.store.close();
});

const elements = (message: SlackMessage): Element[] =>
  (message.blocks ?? []).flatMap((b) => ((b as { elements?: Element[] }).elements ?? []).filter((e) => e.action_id));
/** The controls that answer the open question (not "terug" or "stoppen", whose verbs are back and stop). */
const isAnswer = (e: Element) => /^bb\|[axmsi]\|dialog\|answer\|/.test(e.action_id ?? '');

/** The newest version of the newest question in the person's 1:1 chat. */
function currentQuestion(channel: string): SlackMessage | undefined {
  const inChat = api.messages().filter((m) => m.channel === channel);
  return [...inChat].reverse().find((m) => elements(m).some(isAnswer));
}

async function settle(): Promise<void> {
  await slack.adapter.drain();
  await core.pipeline.drain();
}

/** Answer the question on screen like a person would: first choice, first boxes, a note in the modal. */
async function answer(user: string, message: SlackMessage): Promise<void> {
  const controls = elements(message).filter(isAnswer);
  const click = (actionId: string, extra: Partial<Parameters<typeof blockAction>[0]> = {}) =>
    slack.post(blockAction({ user, channel: message.channel!, messageTs: message.ts!, actionId, ...extra }));
  const boxes = controls.filter((e) => e.type === 'checkboxes');
  const modal = controls.find((e) => e.action_id!.startsWith('bb|i|'));
  const select = controls.find((e) => e.type === 'static_select');
  if (boxes.length > 0) {
    const first = boxes[0]!;
    const state = {
      b1: { [first.action_id!]: { type: 'checkboxes', selected_options: [{ value: first.options![0]!.value }] } },
    };
    await click(controls.find((e) => e.action_id!.startsWith('bb|m|'))!.action_id!, { state });
  } else if (modal) {
    const before = api.of('views.open').length;
    await click(modal.action_id!, { value: modal.value });
    await waitFor(() => api.of('views.open').length > before, 3_000, 'the note modal');
    const view = JSON.parse(api.of('views.open').at(-1)!.body.view!) as Record<string, unknown>;
    expect(viewProblems(view)).toEqual([]);
    expect((await slack.post(viewSubmission(user, view.private_metadata as string, NOTE_CANARY))).status).toBe(200);
  } else if (select) {
    await click(select.action_id!, { selectedOption: select.options![0]!.value });
  } else {
    await click(controls[0]!.action_id!, { value: controls[0]!.value });
  }
  await settle();
}

describe('the check-in in Slack, end to end', () => {
  it('from /bubbelbreker checkin in a channel to the result, privately, with valid Block Kit throughout', async () => {
    const user = 'U0RAAD1';
    const dm = `D${user}`;
    const response = await slack.post(slashCommand(user, 'checkin', 'C0RAAD'));
    expect(response.status).toBe(200);
    await settle();
    // The consent card comes first, in the 1:1 chat; nothing is stored before "ja".
    await agreeToConsent(slack, api, user, dm);
    await settle();
    const person = personOf({ platform: 'slack', tenantId: TEST_TEAM, userId: user });
    expect((await core.store.getVersioned(dialogKey(person))).value).toBeDefined();

    let steps = 0;
    let typedNote = false;
    for (let question = currentQuestion(dm); question; question = currentQuestion(dm)) {
      if (!typedNote && elements(question).some((e) => e.action_id?.startsWith('bb|i|'))) {
        // A note typed as a message would stay in Slack's history: it is refused, and nothing of it is kept.
        typedNote = true;
        const state = await core.store.getVersioned(dialogKey(person));
        await slack.post(directMessage(user, `${NOTE_CANARY} getypt`, dm));
        await settle();
        expect(api.messages().at(-1)?.text).toBe(translator.t('nl', 'errors.typeInWindow.slack'));
        expect(await core.store.getVersioned(dialogKey(person))).toEqual(state);
      }
      const before = api.messages().length;
      await answer(user, question);
      await waitFor(() => api.messages().length > before, 3_000, 'an answer to the click');
      steps += 1;
      if (steps > 40) throw new Error('the check-in did not end');
      // The clicked question was replaced in place (no old buttons left to press), unless it was the last one.
      const replaced = api.of('chat.update').at(-1);
      expect(replaced?.body.ts).toBe(question.ts);
      if (!(await core.store.getVersioned(dialogKey(person))).value) break;
    }
    expect(steps).toBeGreaterThanOrEqual(3);
    expect(typedNote).toBe(true);
    // The optional note was typed in the modal, and it reached the dialog.
    expect(api.of('views.open').length).toBeGreaterThanOrEqual(1);
    expect((await core.store.getVersioned(dialogKey(person))).value).toBeUndefined();

    const messages = api.messages();
    for (const m of messages) expect(messageProblems(m), `${m.method} ${m.text}`).toEqual([]);
    // Nothing of the check-in was ever posted in the channel; the note never left the private chat.
    expect(api.of('chat.postMessage').filter((c) => c.body.channel !== dm)).toEqual([]);
    expect(
      api
        .of('response_url')
        .map((c) => JSON.stringify(c.body))
        .join(),
    ).not.toContain(NOTE_CANARY);
    const last = messages.filter((m) => m.channel === dm).at(-1)!;
    expect(last.text?.length).toBeGreaterThan(0);
    expect(capture.text()).not.toContain(NOTE_CANARY);
  });

  it('a mention in a channel: a short pointer in the thread, the questions in the 1:1 chat', async () => {
    const user = 'U0RAAD2';
    await slack.post(appMention(user, 'checkin', 'C0RAAD'));
    await settle();
    await agreeToConsent(slack, api, user, `D${user}`);
    await settle();
    const inChannel = api.of('chat.postMessage').filter((c) => c.body.channel === 'C0RAAD');
    for (const post of inChannel) expect(post.body.thread_ts).toBeDefined();
    expect(currentQuestion(`D${user}`)).toBeDefined();
  });

  it('typed text that is no answer: the question card is updated in place with the hint, one pointer below it', async () => {
    await slack.post(directMessage('U0TYPE', 'checkin', 'DU0TYPE'));
    await settle();
    await agreeToConsent(slack, api, 'U0TYPE', 'DU0TYPE');
    await settle();
    const question = currentQuestion('DU0TYPE')!;
    const posts = api.of('chat.postMessage').length;
    await slack.post(directMessage('U0TYPE', 'hoe zit het met het azc?', 'DU0TYPE'));
    await settle();
    // The card of the open question, by its own ts: now with Slack's hint; no second copy of the question.
    const updated = api.of('chat.update').at(-1)!;
    expect(updated.body.ts).toBe(question.ts);
    expect(updated.body.blocks).toContain(translator.t('nl', 'errors.choiceExpected.slack'));
    const newPosts = api.of('chat.postMessage').slice(posts);
    expect(newPosts.map((c) => c.body.text)).toEqual([translator.t('nl', 'common.pointer.slack', { current: 1 })]);
    expect(messageProblems(api.messages().at(-2)!)).toEqual([]);
  });

  it('an English Slack locale still gets Dutch; typing English switches, and it is remembered', async () => {
    nock.cleanAll();
    api = fakeSlackApi(nock, { locales: { U0EN: 'en-GB' } });
    await slack.post(slashCommand('U0EN', 'help', 'DU0EN'));
    await settle();
    expect(api.of('chat.postMessage')[0]?.body.text).toContain(translator.t('nl', 'common.help').split('\n')[0]!);
    await slack.post(directMessage('U0EN', 'English', 'DU0EN'));
    await settle();
    expect(api.messages().at(-1)!.text).toBe(translator.t('en', 'common.language.switchedTo.en'));
    await slack.post(slashCommand('U0EN', 'help', 'DU0EN'));
    await settle();
    expect(api.messages().at(-1)!.text).toContain(translator.t('en', 'common.help').split('\n')[0]!);
    expect(api.of('users.info')).toHaveLength(0);
  });
});
