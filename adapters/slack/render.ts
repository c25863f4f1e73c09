import type {
  ActionsBlock,
  Button as SlackButton,
  Checkboxes,
  KnownBlock,
  PlainTextOption,
  SectionBlock,
} from '@slack/types';
import type { ActionPayload, Block, Choice, OutboundMessage, Route } from '../../src/core/index.js';
import { encodeActionId, encodeValue, MAX_ACTION_ID, MAX_BUTTON_VALUE, type ActionKind } from './action-id.js';
import type { ModalSpec } from './types.js';

/** Slack's Block Kit limits (docs.slack.dev/reference/block-kit). */
export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  text: 3000,
  header: 150,
  buttonText: 75,
  actionId: MAX_ACTION_ID,
  buttonValue: MAX_BUTTON_VALUE,
  optionText: 75,
  optionValue: 150,
  actionsElements: 25,
  contextElements: 10,
  sectionFields: 10,
  fieldText: 2000,
  checkboxOptions: 10,
  selectOptions: 100,
  modalTitle: 24,
  placeholder: 150,
  inputLabel: 2000,
  inputMaxLength: 3000,
  privateMetadata: 3000,
  altText: 2000,
} as const;

/** Looks up one of the adapter's own labels in the message's language. */
export type Label = (key: string) => string;

/** What chat.postMessage / chat.update get: blocks plus the notification and screen-reader text. */
export interface RenderedMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Escape Slack's control characters, so text can neither link, format a mention nor ping @channel/@here. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cut to `max` characters (code points), ending in an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text);
  if (points.length <= max) return text;
  return `${points.slice(0, max - 1).join('')}…`;
}

/** Split long text into pieces of at most `max`, preferring line ends and spaces. */
export function chunk(text: string, max: number = LIMITS.text): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = rest.lastIndexOf(' ', max);
    if (cut < max / 2) cut = max;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^[\n ]/, '');
  }
  pieces.push(rest);
  return pieces;
}

const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: truncate(text, max), emoji: true });
const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text: truncate(text, LIMITS.text) });

/** Gives every interactive element of one surface a distinct action_id (Slack refuses duplicates). */
class ActionIds {
  private readonly seen = new Set<string>();

  next(kind: ActionKind, payload: ActionPayload): string {
    let id = encodeActionId(kind, payload.route, payload.choice);
    for (let n = 1; this.seen.has(id); n += 1) id = encodeActionId(kind, payload.route, payload.choice, n);
    if (id.length > LIMITS.actionId) throw new RangeError(`action_id longer than ${LIMITS.actionId} characters`);
    this.seen.add(id);
    return id;
  }
}

function button(
  ids: ActionIds,
  kind: ActionKind,
  label: string,
  payload: ActionPayload,
  extra: Partial<SlackButton> = {},
): SlackButton {
  const value = kind === 'a' ? encodeValue(payload) : undefined;
  if (value !== undefined && value.length > LIMITS.buttonValue) throw new RangeError('button value too long');
  return {
    type: 'button',
    text: plain(label, LIMITS.buttonText),
    action_id: ids.next(kind, payload),
    ...(value ? { value } : {}),
    ...extra,
  };
}

function actionsBlocks(elements: ActionsBlock['elements']): ActionsBlock[] {
  const blocks: ActionsBlock[] = [];
  for (let i = 0; i < elements.length; i += LIMITS.actionsElements)
    blocks.push({ type: 'actions', elements: elements.slice(i, i + LIMITS.actionsElements) });
  return blocks;
}

const sections = (text: string): SectionBlock[] =>
  chunk(escapeMrkdwn(text)).map((piece) => ({ type: 'section', text: mrkdwn(piece) }));

function choiceButtons(ids: ActionIds, choices: Choice[], route: Route): SlackButton[] {
  return choices.map((c) =>
    button(
      ids,
      'a',
      c.label,
      { route, choice: c.id },
      c.description || c.label.length > LIMITS.buttonText
        ? { accessibility_label: truncate(c.description ?? c.label, LIMITS.buttonText) }
        : {},
    ),
  );
}

/** Full labels under the question when a button had to shorten one, so nothing is lost. */
function longLabels(choices: Choice[]): KnownBlock[] {
  if (!choices.some((c) => c.label.length > LIMITS.buttonText)) return [];
  return sections(choices.map((c) => `• ${c.label}`).join('\n'));
}

function option(c: { id: string; label: string; description?: string }): PlainTextOption {
  if (c.id.length > LIMITS.optionValue) throw new RangeError('option value too long');
  return {
    text: plain(c.label, LIMITS.optionText),
    value: c.id,
    ...(c.description ? { description: plain(c.description, LIMITS.optionText) } : {}),
  };
}

/** The button value that lets the modal be built from the click alone (no lookup of the message). */
export function modalSpecValue(spec: ModalSpec): string {
  let label = truncate(spec.label, 1200);
  for (;;) {
    const value = JSON.stringify({
      l: label,
      p: spec.placeholder && truncate(spec.placeholder, LIMITS.placeholder),
      m: spec.maxLength,
      s: truncate(spec.submitLabel, LIMITS.modalTitle),
      o: spec.locale,
    });
    if (value.length <= LIMITS.buttonValue) return value;
    label = truncate(label, Math.floor(label.length * 0.7));
  }
}

function renderBlock(block: Block, ids: ActionIds, label: Label, locale: ModalSpec['locale']): KnownBlock[] {
  switch (block.type) {
    case 'heading':
      return block.text.length <= LIMITS.header
        ? [{ type: 'header', text: plain(block.text, LIMITS.header) }]
        : sections(block.text);
    case 'text': {
      // A person's own words: plain text, so nothing in them formats, links or mentions.
      if (block.verbatim)
        return chunk(block.text).map((piece) => ({ type: 'section', text: plain(piece, LIMITS.text) }));
      if (block.tone === 'muted')
        return chunk(escapeMrkdwn(block.text)).map((piece) => ({ type: 'context', elements: [mrkdwn(piece)] }));
      if (block.tone === 'warning')
        return chunk(`:warning: ${escapeMrkdwn(block.text)}`).map((piece) => ({
          type: 'section',
          text: mrkdwn(piece),
        }));
      return sections(block.text);
    }
    case 'single':
      return [...longLabels(block.choices), ...actionsBlocks(choiceButtons(ids, block.choices, block.route))];
    case 'multi': {
      const groups: Checkboxes[] = [];
      for (let i = 0; i < block.choices.length; i += LIMITS.checkboxOptions) {
        const options = block.choices.slice(i, i + LIMITS.checkboxOptions).map(option);
        const initial = options.filter((o) => block.selected?.includes(o.value ?? ''));
        groups.push({
          type: 'checkboxes',
          action_id: ids.next('x', { route: block.route }),
          options,
          ...(initial.length > 0 ? { initial_options: initial } : {}),
        });
      }
      return [
        ...actionsBlocks(groups),
        ...actionsBlocks([button(ids, 'm', block.submitLabel, { route: block.route }, { style: 'primary' })]),
      ];
    }
    case 'scale': {
      const values: number[] = [];
      for (let v = block.min; v <= block.max && values.length < LIMITS.selectOptions; v += 1) values.push(v);
      const legend: KnownBlock = {
        type: 'context',
        elements: [mrkdwn(escapeMrkdwn(`${block.min} = ${block.minLabel} · ${block.max} = ${block.maxLabel}`))],
      };
      if (values.length <= 11) {
        const buttons = values.map((v) => {
          const end = v === block.min ? block.minLabel : v === block.max ? block.maxLabel : undefined;
          return button(
            ids,
            'a',
            String(v),
            { route: block.route, choice: String(v) },
            end ? { accessibility_label: truncate(`${v}: ${end}`, LIMITS.buttonText) } : {},
          );
        });
        return [...actionsBlocks(buttons), legend];
      }
      const options = values.map((v) => option({ id: String(v), label: String(v) }));
      return [
        {
          type: 'actions',
          elements: [
            {
              type: 'static_select',
              action_id: ids.next('s', { route: block.route }),
              placeholder: plain(block.label, LIMITS.optionText),
              options,
            },
          ],
        },
        legend,
      ];
    }
    case 'input': {
      const spec: ModalSpec = {
        label: block.label,
        placeholder: block.placeholder,
        maxLength: Math.min(block.maxLength, LIMITS.inputMaxLength),
        submitLabel: block.submitLabel,
        locale,
      };
      const open: SlackButton = {
        ...button(ids, 'i', label('slack.input.open'), { route: block.route }, { style: 'primary' }),
        value: modalSpecValue(spec),
      };
      const elements: SlackButton[] = [open];
      if (block.skipLabel) elements.push(button(ids, 'a', block.skipLabel, { route: block.route, text: '' }));
      return actionsBlocks(elements);
    }
    case 'progress':
      // Words only: a bar of a total that differs by path would jump.
      return [{ type: 'context', elements: [mrkdwn(escapeMrkdwn(block.label))] }];
    case 'image':
      // Slack fetches the picture itself: only a public https address works; else the line of text.
      return block.url?.startsWith('https://')
        ? [{ type: 'image', image_url: block.url, alt_text: truncate(block.alt, LIMITS.altText) }]
        : [{ type: 'context', elements: [mrkdwn(escapeMrkdwn(block.text))] }];
    case 'facts': {
      const out: KnownBlock[] = [];
      for (let i = 0; i < block.facts.length; i += LIMITS.sectionFields) {
        const fields = block.facts
          .slice(i, i + LIMITS.sectionFields)
          .map((f) => mrkdwn(truncate(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, LIMITS.fieldText)));
        out.push({ type: 'section', fields });
      }
      return out;
    }
    case 'links': {
      const lines = block.links.map((l) =>
        /^https?:\/\/[^\s<>|]+$/i.test(l.url)
          ? `• <${l.url.replace(/&/g, '&amp;')}|${escapeMrkdwn(l.label)}>`
          : `• ${escapeMrkdwn(l.label)}`,
      );
      return chunk(lines.join('\n')).map((piece) => ({ type: 'section', text: mrkdwn(piece) }));
    }
    case 'buttons':
      return actionsBlocks(
        block.buttons.map((b) => button(ids, 'a', b.label, { route: b.route }, b.style ? { style: b.style } : {})),
      );
    case 'divider':
      return [{ type: 'divider' }];
    case 'form':
      // A message cannot hold a form: it shows a button that asks for it again, which then opens as a modal.
      return [
        ...sections(block.title),
        ...(block.error ? renderBlock({ type: 'text', text: block.error, tone: 'warning' }, ids, label, locale) : []),
        ...actionsBlocks([
          button(ids, 'a', label('slack.form.open'), { route: block.openRoute }, { style: 'primary' }),
        ]),
      ];
    default:
      return [];
  }
}

/** Blocks for a list of neutral blocks, capped at `maxBlocks` with a note when something had to go. */
export function renderBlocks(
  blocks: Block[],
  label: Label,
  options: { maxBlocks?: number; locale?: ModalSpec['locale']; ids?: ActionIds } = {},
): KnownBlock[] {
  const ids = options.ids ?? new ActionIds();
  const max = options.maxBlocks ?? LIMITS.messageBlocks;
  const out = blocks.flatMap((b) => renderBlock(b, ids, label, options.locale));
  if (out.length <= max) return out;
  return [...out.slice(0, max - 1), { type: 'context', elements: [mrkdwn(escapeMrkdwn(label('slack.truncated')))] }];
}

/** OutboundMessage → Block Kit. The top-level `text` is the notification and screen-reader fallback. */
export function renderMessage(
  message: OutboundMessage,
  label: Label,
  maxBlocks: number = LIMITS.messageBlocks,
): RenderedMessage {
  const text = truncate(escapeMrkdwn(message.text.trim() || firstText(message.blocks)), LIMITS.text);
  return { text, blocks: renderBlocks(message.blocks, label, { maxBlocks, locale: message.locale }) };
}

function firstText(blocks: Block[]): string {
  for (const b of blocks) if ('text' in b && typeof b.text === 'string' && b.text.trim()) return b.text;
  for (const b of blocks) if ('label' in b && typeof b.label === 'string') return b.label;
  return 'Bubbelbreker';
}

export { ActionIds };
