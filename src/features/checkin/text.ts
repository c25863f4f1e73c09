/**
 * Small helpers to turn the check-in's text references into translated strings. Text comes only from the
 * locale files (through `t`) or the module catalogue.
 */
import { plainText } from '../../message/plain-text.js';
import type { Block, Locale, MessageVars, OutboundMessage, Translate } from '../../message/types.js';
import type { ChoiceRef, TextRef } from './model.js';

/** What every builder needs to produce text: the turn's translator and its locale. */
export interface RenderContext {
  t: Translate;
  locale: Locale;
}

/** The dialog whose choice labels a {@link ChoiceRef} names. */
export const CHECKIN_DIALOG_ID = 'checkin';

/**
 * "‘a’, ‘b’ en ‘c’" / "‘a’, ‘b’ and ‘c’" of the translated labels of some check-in choices. A choice whose label
 * is gone (a result stored by an older dialog version) is left out rather than shown as a key.
 */
export function choiceList(rc: RenderContext, ref: ChoiceRef): string {
  const labels = ref.ids.flatMap((id) => {
    const key = `${CHECKIN_DIALOG_ID}.${ref.step}.choices.${id}`;
    const label = rc.t(key);
    return label === key ? [] : [rc.t('result.quoted', { label })];
  });
  return joinList(rc.locale, labels);
}

/** "a, b en c" / "a, b and c". */
export function joinList(locale: Locale, items: readonly string[]): string {
  return listFormat(locale).format(items);
}

// Intl formatters are costly to build and safe to share: one per locale.
const listFormats = new Map<Locale, Intl.ListFormat>();
const dateFormats = new Map<Locale, Intl.DateTimeFormat>();

function listFormat(locale: Locale): Intl.ListFormat {
  let format = listFormats.get(locale);
  if (!format) {
    format = new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' });
    listFormats.set(locale, format);
  }
  return format;
}

/** Translate a reference; its choices (if any) fill `{choices}`, `extra` adds variables. */
export function renderRef(rc: RenderContext, ref: TextRef, extra: MessageVars = {}): string {
  const vars: MessageVars = { ...extra, ...(ref.vars ?? {}) };
  if (ref.choices) vars.choices = choiceList(rc, ref.choices);
  return rc.t(ref.key, vars);
}

/** A date as people in the Netherlands read it, e.g. "5 jan 2026". */
export function formatDate(locale: Locale, ms: number): string {
  let format = dateFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale === 'nl' ? 'nl-NL' : 'en-GB', {
      dateStyle: 'medium',
      timeZone: 'Europe/Amsterdam',
    });
    dateFormats.set(locale, format);
  }
  return format.format(new Date(ms));
}

/** A message whose plain text carries the meaning of every block, for notifications and screen readers. */
export function message(blocks: Block[]): OutboundMessage {
  return { text: plainText(blocks), blocks };
}
