/**
 * Validate an Adaptive Card with the official `adaptivecards` library: the UMD bundle under
 * jsdom globals, every parse warning and validation event counted as a failure.
 */
import { createRequire } from 'node:module';
import { JSDOM } from 'jsdom';

const require = createRequire(import.meta.url);
let AC: any; // the UMD bundle has no usable types under NodeNext; shapes are checked by the assertions below

function load(): any {
  if (AC) return AC;
  const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
  const win = dom.window as unknown as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(win)) {
    if (key in globalThis) continue;
    try {
      (globalThis as Record<string, unknown>)[key] = win[key];
    } catch {
      // a few window properties are getters that cannot be copied; the renderer does not need them
    }
  }
  AC = require('adaptivecards/dist/adaptivecards.js');
  // Markdown is rendered by Teams, not here; without a processor the library only warns about it.
  AC.AdaptiveCard.onProcessMarkdown = (text: string, result: { outputHtml?: string; didProcess: boolean }) => {
    result.outputHtml = text;
    result.didProcess = true;
  };
  return AC;
}

/** Every problem the library reports, as `EventName: message`; empty when the card is clean. */
export function cardProblems(json: unknown): string[] {
  const lib = load();
  const card = new lib.AdaptiveCard();
  const context = new lib.SerializationContext();
  card.parse(json, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    problems.push(`${lib.ValidationEvent[e.event] ?? e.event}: ${e.message}`);
  }
  for (const e of card.validateProperties().validationEvents)
    problems.push(`${lib.ValidationEvent[e.event] ?? e.event}: ${e.message}`);
  // The library does not check these Teams rules itself: schema 1.5, and an Action.Submit fallback for Action.Execute.
  const raw = json as { version?: string };
  if (raw.version !== '1.5') problems.push(`Version: expected 1.5, got ${raw.version}`);
  for (const action of collectActions(json)) {
    if (
      action.type === 'Action.Execute' &&
      (action.fallback as { type?: string } | undefined)?.type !== 'Action.Submit'
    )
      problems.push(`Fallback: Action.Execute "${String(action.title)}" has no Action.Submit fallback`);
  }
  const html = card.render();
  if (!html) problems.push('render: no output');
  return problems;
}

/** Render to HTML (jsdom), for checks on what a person would see. */
export function cardText(json: unknown): string {
  const lib = load();
  const card = new lib.AdaptiveCard();
  card.parse(json, new lib.SerializationContext());
  return (card.render() as HTMLElement).textContent ?? '';
}

function collectActions(node: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(node)) for (const item of node) collectActions(item, out);
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (typeof record.type === 'string' && record.type.startsWith('Action.')) out.push(record);
    // refresh.action is Universal Actions only; clients without them ignore it, so it needs no fallback.
    for (const [key, value] of Object.entries(record))
      if (key !== 'fallback' && key !== 'data' && key !== 'refresh') collectActions(value, out);
  }
  return out;
}

/** The rendered HTML (jsdom), for accessibility checks. */
export function cardHtml(json: unknown): string {
  const lib = load();
  const card = new lib.AdaptiveCard();
  card.parse(json, new lib.SerializationContext());
  return (card.render() as HTMLElement).outerHTML;
}
