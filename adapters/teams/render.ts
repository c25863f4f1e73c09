/**
 * OutboundMessage → Adaptive Card 1.5. Pure: no SDK import, so tests validate every card with `adaptivecards`.
 * Buttons are Action.Execute (Universal Actions) with an Action.Submit fallback for older clients; both carry the
 * same data, so parse.ts reads them alike. Meaning never depends on colour: every choice is in its label.
 */
import type { Block, OutboundMessage, Route } from '../../src/core/index.js';
import { CARD_VERB, type CardActionData, INPUT_FIELD_PREFIX, INPUT_TEXT, INPUT_VALUES } from './types.js';

/** An Adaptive Card as plain JSON. */
export type AdaptiveCardJson = Record<string, unknown> & { type: 'AdaptiveCard'; version: string; body: CardElement[] };
type CardElement = Record<string, unknown>;

export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/** Teams shows at most five actions in one set; a scale longer than that gets more rows. */
const MAX_ACTIONS_PER_SET = 5;
/** Button labels up to this many characters fit side by side without being cut off. */
const SHORT_LABEL = 16;
/** Universal Actions refresh at most 60 named users. */
export const MAX_REFRESH_USERS = 60;

/** The data of a card action: the route, plus what this one control fixes (a choice, a skip). */
function actionData(route: Route, extra: Omit<CardActionData['bb'], 'route'> = {}): CardActionData {
  return { verb: CARD_VERB, bb: { route, ...extra } };
}

/** Action.Execute with an Action.Submit fallback carrying the same data (for clients without Universal Actions). */
function executeAction(
  title: string,
  data: CardActionData,
  options: { style?: 'positive' | 'destructive'; tooltip?: string; noInputs?: boolean } = {},
): CardElement {
  const common: CardElement = { title, data };
  if (options.style) common.style = options.style;
  if (options.tooltip) common.tooltip = options.tooltip;
  if (options.noInputs) common.associatedInputs = 'none';
  return { type: 'Action.Execute', verb: CARD_VERB, ...common, fallback: { type: 'Action.Submit', ...common } };
}

const actionSet = (...actions: CardElement[]): CardElement => ({ type: 'ActionSet', actions });

/**
 * One answer as a full-width clickable row. Action buttons cut long labels off in Teams (and the playground);
 * a Container with a selectAction wraps its text and is still one click, with the role and name of a button.
 */
function choiceRow(label: string, description: string | undefined, action: CardElement): CardElement {
  const items: CardElement[] = [textBlock(label, { weight: 'Bolder', color: 'Accent' })];
  if (description) items.push(textBlock(description, { isSubtle: true, size: 'Small', spacing: 'None' }));
  return { type: 'Container', style: 'emphasis', spacing: 'Small', selectAction: action, items };
}
const textBlock = (text: string, extra: CardElement = {}): CardElement => ({
  type: 'TextBlock',
  text,
  wrap: true,
  ...extra,
});

/**
 * One TextBlock per line: hosts disagree on how a single newline renders in TextBlock markdown,
 * so lines become blocks and a blank line becomes extra spacing.
 */
function textBlocks(text: string, extra: CardElement = {}): CardElement[] {
  const out: CardElement[] = [];
  let gap = false;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      gap = out.length > 0;
      continue;
    }
    out.push(textBlock(line, { ...extra, ...(out.length > 0 ? { spacing: gap ? 'Medium' : 'None' } : {}) }));
    gap = false;
  }
  return out.length > 0 ? out : [textBlock(' ', extra)];
}

/** Markdown's own characters escaped, so a text cannot make a link, a list or formatting of its own. */
const escapeMarkdown = (text: string): string =>
  text.replace(/[\\[\]()*_`~#>|]/g, (c) => `\\${c}`).replace(/^(\s*)([-+]|\d+\.)(\s)/gm, '$1\\$2$3');
const markdownLabel = escapeMarkdown;

function renderBlock(block: Block, heading?: string): CardElement[] {
  // The core often puts the question in a heading and again as the block's label: show it once. An input whose
  // question is the heading right above it gets no label of its own (the heading names it).
  const label = (text: string): CardElement[] => (text === heading ? [] : [textBlock(text, { weight: 'Bolder' })]);
  const inputLabel = (text: string): CardElement => (text === heading ? {} : { label: text });
  switch (block.type) {
    case 'heading':
      return [textBlock(block.text, { style: 'heading', size: 'Large', weight: 'Bolder' })];
    case 'text':
      // A person's own words: markdown escaped, so nothing in them formats or links.
      if (block.verbatim) return textBlocks(escapeMarkdown(block.text));
      if (block.tone === 'muted') return textBlocks(block.text, { isSubtle: true });
      // Warnings also carry their meaning in words; the colour is only a second cue.
      if (block.tone === 'warning') return textBlocks(block.text, { color: 'Attention', weight: 'Bolder' });
      return textBlocks(block.text);
    case 'progress':
      return [textBlock(block.label, { isSubtle: true, size: 'Small', spacing: 'None' })];
    case 'single':
      return [
        ...label(block.label),
        ...block.choices.map((c) =>
          choiceRow(c.label, c.description, executeAction(c.label, actionData(block.route, { choice: c.id }))),
        ),
      ];
    case 'multi':
      return [
        {
          type: 'Input.ChoiceSet',
          id: INPUT_VALUES,
          ...inputLabel(block.label),
          isMultiSelect: true,
          style: 'expanded',
          wrap: true,
          choices: block.choices.map((c) => ({ title: c.label, value: c.id })),
          ...(block.selected && block.selected.length > 0 ? { value: block.selected.join(',') } : {}),
        },
        actionSet(executeAction(block.submitLabel, actionData(block.route), { style: 'positive' })),
      ];
    case 'scale': {
      const values: number[] = [];
      for (let v = block.min; v <= block.max; v++) values.push(v);
      const rows: CardElement[] = [];
      for (let i = 0; i < values.length; i += MAX_ACTIONS_PER_SET) {
        const row = values.slice(i, i + MAX_ACTIONS_PER_SET);
        rows.push(
          actionSet(
            ...row.map((v) =>
              executeAction(String(v), actionData(block.route, { choice: String(v) }), {
                tooltip: scaleTooltip(block, v),
              }),
            ),
          ),
        );
      }
      return [
        ...label(block.label),
        textBlock(`${block.min} = ${block.minLabel}, ${block.max} = ${block.maxLabel}`, {
          isSubtle: true,
          spacing: 'Small',
        }),
        ...rows,
      ];
    }
    case 'input': {
      const actions = [executeAction(block.submitLabel, actionData(block.route), { style: 'positive' })];
      if (block.skipLabel)
        actions.push(executeAction(block.skipLabel, actionData(block.route, { skip: true }), { noInputs: true }));
      return [
        {
          type: 'Input.Text',
          id: INPUT_TEXT,
          ...inputLabel(block.label),
          maxLength: block.maxLength,
          isMultiline: block.maxLength > 120,
          ...(block.placeholder ? { placeholder: block.placeholder } : {}),
        },
        actionSet(...actions),
      ];
    }
    case 'facts':
      return block.facts.length === 0
        ? []
        : [{ type: 'FactSet', facts: block.facts.map((f) => ({ title: f.label, value: f.value })) }];
    case 'links':
      // Links look like links (underlined text), not like the bot's own buttons.
      return block.links.map((l, i) =>
        textBlock(`[${markdownLabel(l.label)}](${l.url})`, i > 0 ? { spacing: 'None' } : {}),
      );
    case 'image': {
      const url = block.url?.startsWith('https://') ? block.url : block.inline;
      return url ? [{ type: 'Image', url, altText: block.alt, size: 'Stretch' }] : textBlocks(block.text);
    }
    case 'buttons': {
      const actions = block.buttons.map((b) =>
        executeAction(
          b.label,
          actionData(b.route),
          b.style ? { style: b.style === 'primary' ? 'positive' : 'destructive' } : {},
        ),
      );
      // Short labels (terug, stop) sit side by side; longer ones get a row each so Teams does not cut them off.
      const short =
        block.buttons.length <= MAX_ACTIONS_PER_SET && block.buttons.every((b) => b.label.length <= SHORT_LABEL);
      return short ? [actionSet(...actions)] : actions.map((a) => actionSet(a));
    }
    case 'divider':
      return [];
    case 'form':
      return renderForm(block);
    default:
      return [];
  }
}

/** A form as inputs on the card; Teams merges their values into the submit's data under `bb_f_<field id>`. */
function renderForm(block: Extract<Block, { type: 'form' }>): CardElement[] {
  const out: CardElement[] = [textBlock(block.title, { weight: 'Bolder', size: 'Medium' })];
  if (block.error) out.push(textBlock(block.error, { color: 'Attention', weight: 'Bolder' }));
  for (const field of block.fields) {
    const id = `${INPUT_FIELD_PREFIX}${field.id}`;
    const value = Array.isArray(field.value) ? field.value.join(',') : field.value;
    // Required fields are checked by the bot, which answers with the reason in the person's language.
    const common: CardElement = { id, label: field.required ? `${field.label} *` : field.label };
    switch (field.kind) {
      case 'choice':
      case 'multichoice':
        out.push({
          type: 'Input.ChoiceSet',
          ...common,
          style: 'expanded',
          isMultiSelect: field.kind === 'multichoice',
          wrap: true,
          choices: (field.choices ?? []).map((c) => ({ title: c.label, value: c.id })),
          ...(value ? { value } : {}),
        });
        break;
      case 'datetime': {
        // Two inputs (date and time) in the person's own clock; parse.ts joins them into `YYYY-MM-DDTHH:mm`.
        const [date, time] = (value ?? '').split('T');
        out.push({ type: 'Input.Date', ...common, id: `${id}__date`, ...(date ? { value: date } : {}) });
        out.push({ type: 'Input.Time', id: `${id}__time`, ...(time ? { value: time.slice(0, 5) } : {}) });
        break;
      }
      default:
        out.push({
          type: 'Input.Text',
          ...common,
          isMultiline: field.kind === 'textarea',
          ...(field.maxLength ? { maxLength: field.maxLength } : {}),
          ...(field.placeholder ? { placeholder: field.placeholder } : {}),
          ...(value ? { value } : {}),
        });
    }
    if (field.hint) out.push(textBlock(field.hint, { isSubtle: true, size: 'Small', spacing: 'None' }));
  }
  out.push(actionSet(executeAction(block.submitLabel, actionData(block.route, { form: true }), { style: 'positive' })));
  return out;
}

function scaleTooltip(block: Extract<Block, { type: 'scale' }>, v: number): string | undefined {
  if (v === block.min) return `${v} = ${block.minLabel}`;
  if (v === block.max) return `${v} = ${block.maxLabel}`;
  return undefined;
}

/** Options a caller may add; `refreshUserIds` turns on Universal Actions refresh for ≤ 60 people. */
export interface RenderOptions {
  refreshUserIds?: string[];
  refreshRoute?: Route;
}

/** The Adaptive Card for one outbound message. */
export function renderCard(message: OutboundMessage, options: RenderOptions = {}): AdaptiveCardJson {
  const body: CardElement[] = [];
  let separateNext = false;
  let heading: string | undefined;
  for (const block of message.blocks) {
    if (block.type === 'divider') {
      separateNext = body.length > 0;
      continue;
    }
    const elements = renderBlock(block, heading);
    if (block.type === 'heading') heading = block.text;
    const first = elements[0];
    if (separateNext && first) {
      first.separator = true;
      first.spacing = 'Medium';
      separateNext = false;
    }
    body.push(...elements);
  }
  if (body.length === 0) body.push(...textBlocks(message.text));
  const card: AdaptiveCardJson = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    fallbackText: message.text,
    speak: message.text,
    body,
  };
  if (options.refreshUserIds && options.refreshRoute) {
    card.refresh = {
      action: { type: 'Action.Execute', verb: CARD_VERB, title: 'refresh', data: actionData(options.refreshRoute) },
      userIds: options.refreshUserIds.slice(0, MAX_REFRESH_USERS),
    };
  }
  return card;
}

/** True when a message needs a card; plain text goes as a plain message (smaller, searchable, read aloud). */
export function needsCard(message: OutboundMessage): boolean {
  return message.blocks.some((b) => b.type !== 'text' || (b.tone !== undefined && b.tone !== 'normal'));
}

/** The activity fields for a message: text only, or a card with the text as summary. */
export function renderActivity(message: OutboundMessage): {
  type: 'message';
  text?: string;
  summary?: string;
  attachments?: { contentType: string; content: AdaptiveCardJson }[];
} {
  if (!needsCard(message)) return { type: 'message', text: message.text };
  return {
    type: 'message',
    summary: message.text,
    attachments: [{ contentType: CARD_CONTENT_TYPE, content: renderCard(message) }],
  };
}
