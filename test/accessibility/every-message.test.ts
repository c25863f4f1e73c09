/**
 * Accessibility, checked rather than assumed: every kind of message the bot can send — welcome, help, the short
 * fallback, greetings, the language, every learn card, every check-in question and refusal, the result with its
 * picture and its explanation, the safety route, "mijn gegevens", "vergeet mij", refusals of old buttons — is
 * produced by the real core on each platform, and then:
 * - its plain text (notifications, text-only clients, screen readers) carries the meaning of every block;
 * - Slack: valid Block Kit, every image with alt text, the fallback text set;
 * - Teams: a card the Adaptive Cards library accepts, every image with alt text, headings as headings, the
 *   fallback and spoken text set;
 * - the terminal: every choice and the picture's words on screen;
 * - no control without words: meaning never by colour alone.
 */
import { describe, expect, it } from 'vitest';
import { renderForConsole } from '../../adapters/console/render.js';
import { escapeMrkdwn, renderMessage } from '../../adapters/slack/render.js';
import { renderCard } from '../../adapters/teams/render.js';
import type { Core } from '../../src/app.js';
import type { ActionPayload, Block, OutboundMessage, Platform } from '../../src/message/types.js';
import { messageProblems } from '../adapters/slack/block-kit.js';
import { cardHtml, cardProblems } from '../adapters/teams/support/validate-card.js';
import { buttonsOf, makeBot, person, questionBlock, recordingIO } from '../support/make-bot.js';

type Json = Record<string, unknown>;

/** Every message the bot sends or puts in place of another over a whole tour of what it can do. */
async function tour(core: Core, platform: Platform): Promise<OutboundMessage[]> {
  const seen: OutboundMessage[] = [];
  const who = person(`U-a11y-${platform}`, platform);
  const run = async (event: ReturnType<typeof who.says>) => {
    const io = recordingIO();
    await core.receive(event, io);
    for (const record of io.log) if ('message' in record) seen.push(record.message);
    return io;
  };
  const click = (action: ActionPayload) => run(who.clicks(action));
  const group = who.installs();
  await run({ ...group, conversation: { ...group.conversation, conversationId: `G-${platform}`, isDirect: false } });
  await run(who.installs());
  for (const text of ['help', 'hoe zit het met het azc?', 'hoi', 'dank je', 'taal', 'mijn resultaten', 'stop'])
    await run(who.says(text));
  for (const topic of ['', 'wetten', 'rollen', 'gamechangers', 'glasl', 'm3', 'm5', 'iets onbekends'])
    await run(who.says(`leer ${topic}`.trim()));
  await click({ route: { feature: 'gone', verb: 'away' } });

  // The consent card: first declined, then agreed to.
  let io = await run(who.says('checkin'));
  await click(buttonsOf(io.last()).get('Nee, liever niet')!);
  io = await click(buttonsOf((await run(who.says('checkin'))).last()).get('Ja, ik doe mee')!);
  // A whole check-in: a typed non-answer, an empty submit, then the first real answer of every question.
  await run(who.says('geen idee eigenlijk'));
  let emptySubmitDone = false;
  for (let guard = 0; guard < 20; guard += 1) {
    const question = questionBlock(io.last());
    if (!question) break;
    if (question.type === 'multi' && !emptySubmitDone) {
      emptySubmitDone = true;
      await click({ route: question.route, values: [] });
    }
    const first = 'choices' in question ? question.choices[0]!.id : '';
    io = await click(
      question.type === 'multi'
        ? { route: question.route, values: [first] }
        : question.type === 'single'
          ? { route: question.route, choice: first }
          : { route: question.route, text: 'Volgende week met wethouder Jansen praten' },
    );
  }
  const result = seen.findLast((m) => buttonsOf(m).has('Toon uitleg'))!;
  expect(result, 'a result was sent').toBeDefined();
  const resultButtons = buttonsOf(result);
  await click(resultButtons.get('Toon uitleg')!);
  await click(buttonsOf(seen.at(-1)).get('Verberg uitleg')!);
  // The note seems to name someone: the gentle question, then the field to write it again.
  const warning = seen.findLast((m) => buttonsOf(m).has('Aanpassen'))!;
  expect(warning, 'the note was questioned').toBeDefined();
  const editor = await click(buttonsOf(warning).get('Aanpassen')!);
  await click({ route: questionBlock(editor.last())!.route, text: 'Volgende week met de wijkagent praten' });
  await click(resultButtons.get('Bewaar mijn uitslag')!);
  await click(resultButtons.get('Ja')!);
  await run(who.says('mijn resultaten'));
  await run(who.says('mijn gegevens'));
  await run(who.says('vergeet mij'));
  await click(buttonsOf(seen.at(-1)).get('Ja, wis alles')!);

  // The safety route, with the steps for doxing (after "vergeet mij" the consent is asked again).
  io = await run(who.says('checkin'));
  io = await click(buttonsOf(io.last()).get('Ja, ik doe mee')!);
  for (const answer of [{ choice: 'both' }, { values: ['images'] }, { values: ['doxxing'] }])
    io = await click({ route: questionBlock(io.last())!.route, ...answer });

  // Consent withdrawn in the middle of a check-in (agreed before: not asked again); then an old button of that
  // check-in is pressed.
  io = await run(who.says('checkin'));
  const open = questionBlock(io.last())!;
  await run(who.says('intrekken'));
  await click({ route: open.route, choice: 'both' });
  return seen;
}

/** What each block means, in words that must be in the message's plain text. */
function wordsOf(block: Block): string[] {
  switch (block.type) {
    case 'heading':
    case 'text':
      return [block.text];
    case 'progress':
      return [block.label];
    case 'single':
    case 'multi':
      return [block.label, ...block.choices.map((c) => c.label)];
    case 'input':
      return [block.label];
    case 'image':
      return [block.alt];
    case 'facts':
      return block.facts.flatMap((f) => [f.label, f.value]);
    case 'links':
      return block.links.flatMap((l) => [l.label, l.url]);
    default:
      return [];
  }
}

const kinds = (messages: OutboundMessage[]) => new Set(messages.flatMap((m) => m.blocks.map((b) => b.type)));

describe.each(['slack', 'teams', 'console'] as const)('every message the bot sends, on %s', (platform) => {
  it('carries its meaning in words, renders valid, and has alt text and headings', async () => {
    const core = await makeBot({ env: { PUBLIC_URL: 'https://bubbelbreker.gemeente.example' } });
    const messages = await tour(core, platform);
    // The tour reaches every kind of block the core sends.
    expect([...kinds(messages)].sort()).toEqual(
      [
        'buttons',
        'divider',
        'facts',
        'heading',
        'image',
        'input',
        'links',
        'multi',
        'progress',
        'single',
        'text',
      ].sort(),
    );
    const label = (key: string) => core.translator.t('nl', key);
    for (const message of messages) {
      const where = message.text.slice(0, 60);
      expect(message.text.trim(), where).not.toBe('');
      const missing = message.blocks.flatMap(wordsOf).filter((words) => !message.text.includes(words));
      expect(missing, where).toEqual([]);
      // No control without words: a colour (primary, danger) is never the only cue.
      for (const block of message.blocks)
        if (block.type === 'buttons') for (const b of block.buttons) expect(b.label.trim(), where).not.toBe('');

      if (platform === 'slack') {
        const rendered = renderMessage(message, label);
        expect(messageProblems(rendered), where).toEqual([]);
        expect(rendered.text.length).toBeGreaterThan(0);
        expect(escapeMrkdwn(message.text)).toContain(rendered.text.replace(/…$/, ''));
        for (const block of rendered.blocks as unknown as Json[])
          if (block.type === 'image') expect(String(block.alt_text).length, where).toBeGreaterThan(20);
      }
      if (platform === 'teams') {
        const card = renderCard(message);
        expect(cardProblems(card), where).toEqual([]);
        expect(card.fallbackText).toBe(message.text);
        expect(card.speak).toBe(message.text);
        const html = cardHtml(card);
        for (const img of html.match(/<img[^>]*>/g) ?? []) expect(img, where).toMatch(/alt="[^"]{20,}"/);
        if (message.blocks.some((b) => b.type === 'heading')) expect(html, where).toMatch(/role="heading"/);
      }
      if (platform === 'console') {
        const { text } = renderForConsole(message, (key) => core.translator.t('nl', key));
        for (const block of message.blocks) {
          if (block.type === 'image') expect(text).toContain(block.text);
          if (block.type === 'single' || block.type === 'multi')
            for (const c of block.choices) expect(text).toContain(c.label);
        }
      }
    }
    await core.store.close();
  }, 30_000);
});
