import { describe, expect, it } from 'vitest';
import { MAX_REFRESH_USERS, needsCard, renderActivity, renderCard } from '../../../adapters/teams/render.js';
import { CARD_VERB, INPUT_TEXT, INPUT_VALUES } from '../../../adapters/teams/types.js';
import { SAMPLE_MESSAGES } from './support/messages.js';
import { cardHtml, cardProblems, cardText } from './support/validate-card.js';

type Json = Record<string, any>;
const allActions = (card: Json): Json[] =>
  (card.body as Json[])
    .flatMap((el) =>
      el.type === 'ActionSet' ? (el.actions as Json[]) : el.selectAction ? [el.selectAction as Json] : [],
    )
    .concat((card.actions as Json[]) ?? []);

describe('renderCard', () => {
  for (const [name, message] of Object.entries(SAMPLE_MESSAGES)) {
    it(`${name}: a valid Adaptive Card 1.5 without warnings`, () => {
      const card = renderCard(message);
      expect(card.version).toBe('1.5');
      expect(cardProblems(card)).toEqual([]);
    });
  }

  it('the validator does catch a broken card (so an empty problem list means something)', () => {
    const broken = {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [
        { type: 'TextBlok', text: 'x' },
        { type: 'Input.Text', id: 'a' },
        { type: 'Input.Text', id: 'a' },
      ],
    };
    expect(cardProblems(broken).length).toBeGreaterThan(0);
  });

  it('every Action.Execute has an Action.Submit fallback with the same data', () => {
    for (const message of Object.values(SAMPLE_MESSAGES)) {
      for (const action of allActions(renderCard(message))) {
        if (action.type === 'Action.OpenUrl') continue;
        expect(action.type).toBe('Action.Execute');
        expect(action.verb).toBe(CARD_VERB);
        expect(action.fallback).toMatchObject({ type: 'Action.Submit', title: action.title, data: action.data });
        expect(action.data.verb).toBe(CARD_VERB);
      }
    }
  });

  it('single choice: one clickable row per choice carrying its route (dialog, step, turn) and the choice', () => {
    const card = renderCard(SAMPLE_MESSAGES.single!);
    const actions = allActions(card);
    expect(actions.map((x) => x.title)).toContain('Er zijn kampen: wij tegen zij');
    expect(actions.find((x) => x.title === 'Er zijn dreigementen')!.data.bb).toEqual({
      route: { feature: 'dialog', verb: 'answer', data: { d: 'dailyCheckIn', s: 'glasl', t: '3' } },
      choice: 'threats',
    });
    // Long labels wrap: each choice is a Container row whose text wraps, not a button that cuts it off.
    const rows = (card.body as Json[]).filter((el) => el.type === 'Container' && el.selectAction);
    expect(rows).toHaveLength(7);
    for (const row of rows)
      expect(row.items[0]).toMatchObject({ type: 'TextBlock', wrap: true, text: row.selectAction.title });
    expect(rows[1]!.items[1].text).toBe('Mensen spreken over "die anderen"');
    expect(cardText(card)).toContain('Vraag 3 van 7');
  });

  it('a choice row is announced as a button with the choice as its name', () => {
    const html = cardHtml(renderCard(SAMPLE_MESSAGES.single!));
    expect(html).toMatch(
      /role="button"[^>]*aria-label="Er zijn dreigementen"|aria-label="Er zijn dreigementen"[^>]*role="button"/,
    );
  });

  it('multi choice: an expanded multi-select with a label, its preselection, and a submit', () => {
    const card = renderCard(SAMPLE_MESSAGES.multi!);
    const set = (card.body as Json[]).find((el) => el.type === 'Input.ChoiceSet')!;
    expect(set).toMatchObject({
      id: INPUT_VALUES,
      isMultiSelect: true,
      style: 'expanded',
      label: expect.any(String),
      value: 'youth',
    });
    expect(allActions(card)).toHaveLength(1);
  });

  it('scale: one button per value, the value as the choice, rows of at most five', () => {
    const card = renderCard(SAMPLE_MESSAGES.wideScale!);
    const actions = allActions(card);
    expect(actions.map((x) => x.title)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(actions[10]!.data.bb.choice).toBe('10');
    for (const el of card.body as Json[]) if (el.type === 'ActionSet') expect(el.actions.length).toBeLessThanOrEqual(5);
    expect(cardText(card)).toContain('0 = Slecht, 10 = Goed');
  });

  it('input: labelled Input.Text with maxLength; skip ignores typed text', () => {
    const card = renderCard(SAMPLE_MESSAGES.optionalInput!);
    const input = (card.body as Json[]).find((el) => el.type === 'Input.Text')!;
    expect(input).toMatchObject({
      id: INPUT_TEXT,
      label: 'Je notitie (niet verplicht)',
      maxLength: 500,
      isMultiline: true,
    });
    const skip = allActions(card).find((x) => x.title === 'Overslaan')!;
    expect(skip.data.bb.skip).toBe(true);
    expect(skip.associatedInputs).toBe('none');
  });

  it('every input has a label', () => {
    for (const message of Object.values(SAMPLE_MESSAGES))
      for (const el of renderCard(message).body as Json[])
        if (String(el.type).startsWith('Input.')) expect(el.label).toBeTruthy();
  });

  it('result: facts as a FactSet, links as links in text (not buttons like the bot’s own), a divider as a separator', () => {
    const card = renderCard(SAMPLE_MESSAGES.result!);
    expect((card.body as Json[]).find((el) => el.type === 'FactSet')!.facts).toHaveLength(2);
    expect(allActions(card).find((x) => x.type === 'Action.OpenUrl')).toBeUndefined();
    expect(card.body as Json[]).toContainEqual(
      expect.objectContaining({
        type: 'TextBlock',
        text: '[Module 2: Rollen herkennen](https://example.org/modules/2)',
      }),
    );
    expect((card.body as Json[]).some((el) => el.separator === true)).toBe(true);
  });

  it('a verbatim text (a person’s own note) cannot make markdown: links, emphasis and lists are escaped', () => {
    const card = renderCard({
      text: 'x',
      blocks: [{ type: 'text', text: '- [klik](https://x.example) *nu*', verbatim: true }],
    });
    expect((card.body as Json[])[0]!.text).toBe('\\- \\[klik\\]\\(https://x.example\\) \\*nu\\*');
  });

  it('a link label cannot make markdown of its own', () => {
    const card = renderCard({
      text: 'x',
      blocks: [{ type: 'links', links: [{ label: 'Wat [is] *dit*', url: 'https://example.org/a' }] }],
    });
    expect((card.body as Json[])[0]!.text).toBe('[Wat \\[is\\] \\*dit\\*](https://example.org/a)');
  });

  it('an image: the picture with its alt text; without an address, the line of text', () => {
    const image = { type: 'image' as const, alt: 'Ladder, trede 2 tot 3', text: 'Trede 1 [2 3] 4' };
    const withUrl = renderCard({ text: 'x', blocks: [{ ...image, url: 'https://bot.example/images/a.png' }] });
    expect((withUrl.body as Json[])[0]).toEqual({
      type: 'Image',
      url: 'https://bot.example/images/a.png',
      altText: 'Ladder, trede 2 tot 3',
      size: 'Stretch',
    });
    const inline = renderCard({ text: 'x', blocks: [{ ...image, inline: 'data:image/png;base64,AAAA' }] });
    expect((inline.body as Json[])[0]).toMatchObject({ type: 'Image', url: 'data:image/png;base64,AAAA' });
    const none = renderCard({ text: 'x', blocks: [{ ...image, url: 'http://insecure.example/a.png' }] });
    expect((none.body as Json[])[0]).toMatchObject({ type: 'TextBlock', text: 'Trede 1 [2 3] 4' });
    expect(cardProblems(withUrl)).toEqual([]);
  });

  it('a multi-choice question whose label is the heading shows the question once', () => {
    const card = renderCard({
      text: 'q',
      blocks: [
        { type: 'heading', text: 'Wat zie je gebeuren?' },
        {
          type: 'multi',
          label: 'Wat zie je gebeuren?',
          choices: [{ id: 'a', label: 'A' }],
          submitLabel: 'Versturen',
          route: { feature: 'dialog', verb: 'answer', data: { d: 'd', s: 's', t: '1' } },
        },
      ],
    });
    expect(JSON.stringify(card).split('Wat zie je gebeuren?')).toHaveLength(2);
    expect(cardProblems(card)).toEqual([]);
  });

  it('a warning says it in words, not only in colour', () => {
    expect(cardText(renderCard(SAMPLE_MESSAGES.safety!))).toContain('Let op');
  });

  it('keeps the plain text as fallback and spoken summary', () => {
    const card = renderCard(SAMPLE_MESSAGES.result!);
    expect(card.fallbackText).toBe('Je resultaat');
    expect(card.speak).toBe('Je resultaat');
  });

  it('multi-line text becomes one block per line', () => {
    const card = renderCard(SAMPLE_MESSAGES.welcome!);
    expect((card.body as Json[]).filter((el) => el.type === 'TextBlock').map((el) => el.text)).toEqual([
      'Hallo! Ik ben Bubbelbreker.',
      'Wat je invult blijft privé.',
    ]);
  });

  it('a question label equal to the heading is shown once', () => {
    const message = {
      text: 'q',
      blocks: [
        { type: 'heading' as const, text: 'Wat zie je?' },
        {
          type: 'single' as const,
          label: 'Wat zie je?',
          choices: [
            { id: 'a', label: 'A' },
            { id: 'b', label: 'B' },
          ],
          route: { feature: 'dialog', verb: 'answer', data: { d: 'd', s: 's', t: '1' } },
        },
      ],
    };
    expect(cardText(renderCard(message)).split('Wat zie je?')).toHaveLength(2);
  });

  it('short buttons share one row; long labels get a row each', () => {
    const nav = renderCard(SAMPLE_MESSAGES.welcome!).body as Json[];
    expect(nav.filter((el) => el.type === 'ActionSet')).toHaveLength(1);
    const long = renderCard(SAMPLE_MESSAGES.result!).body as Json[];
    expect(long.filter((el) => el.type === 'ActionSet' && el.actions[0].type === 'Action.Execute')).toHaveLength(1);
    const many = renderCard({
      text: 'x',
      blocks: [
        {
          type: 'buttons',
          buttons: [
            { label: 'Een hele lange knoptekst hier', route: { feature: 'm', verb: 'a' } },
            { label: 'Nog een lange knoptekst', route: { feature: 'm', verb: 'b' } },
          ],
        },
      ],
    });
    expect((many.body as Json[]).filter((el) => el.type === 'ActionSet')).toHaveLength(2);
  });

  it('refresh lists at most 60 people', () => {
    const ids = Array.from({ length: 80 }, (_, i) => `29:user-${i}`);
    const card = renderCard(SAMPLE_MESSAGES.single!, {
      refreshUserIds: ids,
      refreshRoute: { feature: 'dialog', verb: 'answer', data: { d: 'dailyCheckIn', s: 'glasl', t: '3' } },
    }) as Json;
    expect(card.refresh.userIds).toHaveLength(MAX_REFRESH_USERS);
    expect(cardProblems(card)).toEqual([]);
  });
});

describe('renderActivity', () => {
  it('sends text-only messages as plain text and everything else as a card', () => {
    expect(needsCard(SAMPLE_MESSAGES.plain!)).toBe(false);
    expect(renderActivity(SAMPLE_MESSAGES.plain!)).toMatchObject({ type: 'message', text: 'Dank je wel!' });
    const withCard = renderActivity(SAMPLE_MESSAGES.single!);
    expect(withCard.attachments![0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
  });
});
