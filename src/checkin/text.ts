/**
 * Small helpers to turn the check-in's text references into translated strings. Text comes only from the
 * locale files (through `t`) or the module catalogue.
 */
import type { MessageVars, Translate } from '../core/context.js';
import type { Block, Locale, OutboundMessage } from '../core/types.js';
import type { ChoiceRef, TextRef } from './model.js';

/** What every builder needs to produce text: the turn's translator and its locale. */
export interface RenderContext {
  t: Translate;
  locale: Locale;
}

/** The dialog whose choice labels a {@link ChoiceRef} names. */
export const CHECKIN_DIALOG_ID = 'checkin';

/** "‘a’, ‘b’ en ‘c’" / "‘a’, ‘b’ and ‘c’" of the translated labels of some check-in choices. */
export function choiceList(rc: RenderContext, ref: ChoiceRef): string {
  const labels = ref.ids.map((id) => rc.t('result.quoted', { label: rc.t(`${CHECKIN_DIALOG_ID}.${ref.step}.choices.${id}`) }));
  return new Intl.ListFormat(rc.locale, { style: 'long', type: 'conjunction' }).format(labels);
}

/** Translate a reference; its choices (if any) fill `{choices}`, `extra` adds variables. */
export function renderRef(rc: RenderContext, ref: TextRef, extra: MessageVars = {}): string {
  const vars: MessageVars = { ...extra, ...(ref.vars ?? {}) };
  if (ref.choices) vars.choices = choiceList(rc, ref.choices);
  return rc.t(ref.key, vars);
}

/** A date as people in the Netherlands read it, e.g. "5 jan 2026". */
export function formatDate(locale: Locale, ms: number): string {
  return new Intl.DateTimeFormat(locale === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'medium', timeZone: 'Europe/Amsterdam' }).format(new Date(ms));
}

/** A message whose plain text is every heading and text block, for notifications and screen readers. */
export function message(blocks: Block[]): OutboundMessage {
  const text = blocks
    .map((b) => (b.type === 'heading' || b.type === 'text' ? b.text : ''))
    .filter((line) => line !== '')
    .join('\n');
  return { text, blocks };
}
