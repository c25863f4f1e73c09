import type { ActionPayload, Block, OutboundMessage } from '../../src/core/index.js';

/** A numbered thing the person can pick by typing its number. */
export type Pick =
  | { kind: 'choice'; block: Extract<Block, { type: 'single' | 'multi' }>; choiceId: string }
  | { kind: 'button'; action: ActionPayload };

/** What the last message asks for, so the next typed line can be read as an answer. */
export interface Prompt {
  picks: Pick[];
  multi?: Extract<Block, { type: 'multi' }>;
  scale?: Extract<Block, { type: 'scale' }>;
  input?: Extract<Block, { type: 'input' }>;
  /** A form: its fields are asked one after another (console-adapter.ts keeps the answers). */
  form?: Extract<Block, { type: 'form' }>;
}

export type ConsoleTranslate = (key: string, vars?: Record<string, string | number>) => string;

/** Plain text for a terminal: numbered choices, no colour needed to understand anything. */
export function renderForConsole(message: OutboundMessage, t: ConsoleTranslate): { text: string; prompt: Prompt } {
  const lines: string[] = [];
  const prompt: Prompt = { picks: [] };
  const number = (label: string, pick: Pick) => {
    prompt.picks.push(pick);
    lines.push(`  ${prompt.picks.length}. ${label}`);
  };
  for (const block of message.blocks) {
    switch (block.type) {
      case 'progress':
        lines.push(`[${block.label}]`);
        break;
      case 'heading':
        lines.push('', block.text.toUpperCase() === block.text ? block.text : `== ${block.text} ==`);
        break;
      case 'text':
        lines.push(block.tone === 'warning' ? `! ${block.text}` : block.text);
        break;
      case 'single':
        for (const c of block.choices) number(c.label, { kind: 'choice', block, choiceId: c.id });
        break;
      case 'multi':
        prompt.multi = block;
        for (const c of block.choices) number(c.label, { kind: 'choice', block, choiceId: c.id });
        lines.push(`  (${t('console.multiHint')})`);
        break;
      case 'scale':
        prompt.scale = block;
        lines.push(`  ${block.min} = ${block.minLabel} … ${block.max} = ${block.maxLabel}`);
        lines.push(`  (${t('console.scaleHint', { min: block.min, max: block.max })})`);
        break;
      case 'input':
        prompt.input = block;
        lines.push(`  (${t('console.inputHint', { max: block.maxLength })})`);
        if (block.skipLabel) number(block.skipLabel, { kind: 'button', action: { route: block.route, text: '' } });
        break;
      case 'facts':
        for (const f of block.facts) lines.push(`  ${f.label}: ${f.value}`);
        break;
      case 'links':
        for (const l of block.links) lines.push(`  → ${l.label}: ${l.url}`);
        break;
      case 'image':
        // A terminal shows no pictures: the compact line says the same.
        lines.push(block.text);
        break;
      case 'buttons':
        for (const b of block.buttons) number(b.label, { kind: 'button', action: { route: b.route } });
        break;
      case 'divider':
        lines.push('  ────────');
        break;
      case 'form':
        prompt.form = block;
        lines.push('', `== ${block.title} ==`);
        if (block.error) lines.push(`! ${block.error}`);
        lines.push(`  (${t('console.formHint')})`);
        if (block.fields[0]) lines.push(formFieldPrompt(block.fields[0], 0, block.fields.length, t));
        break;
    }
  }
  return { text: lines.join('\n'), prompt };
}

/**
 * Read a typed line against the open prompt: a number picks a choice or button, "1,3" answers a multi-choice,
 * a number in range answers a scale, anything else answers a text input. Undefined = ordinary message.
 */
export function readLine(line: string, prompt: Prompt | undefined): ActionPayload | undefined {
  if (!prompt) return undefined;
  const trimmed = line.trim();
  const numbers = /^\d+(\s*[, ]\s*\d+)*$/.test(trimmed) ? trimmed.split(/[\s,]+/).map(Number) : undefined;
  if (prompt.scale && numbers?.length === 1) {
    const value = numbers[0] as number;
    if (value >= prompt.scale.min && value <= prompt.scale.max)
      return { route: prompt.scale.route, choice: String(value) };
  }
  if (numbers) {
    const picks = numbers.map((n) => prompt.picks[n - 1]);
    if (picks.every((p) => p !== undefined)) {
      const chosen = picks as Pick[];
      const first = chosen[0];
      if (chosen.length === 1 && first?.kind === 'button') return first.action;
      if (chosen.every((p) => p.kind === 'choice')) {
        const block = (chosen[0] as Extract<Pick, { kind: 'choice' }>).block;
        const ids = chosen.map((p) => (p as Extract<Pick, { kind: 'choice' }>).choiceId);
        if (block.type === 'multi') return { route: block.route, values: [...new Set(ids)] };
        if (ids.length === 1) return { route: block.route, choice: ids[0] };
      }
    }
  }
  if (prompt.input && trimmed.length > 0 && !numbers) return { route: prompt.input.route, text: trimmed };
  return undefined;
}

type FormField = Extract<Block, { type: 'form' }>['fields'][number];

/** The question for one field of a form: its label, what it holds now, the choices numbered. */
export function formFieldPrompt(field: FormField, index: number, total: number, t: ConsoleTranslate): string {
  const lines = [`[${index + 1}/${total}] ${field.label}${field.required ? ' *' : ''}`];
  const current = Array.isArray(field.value) ? field.value.join(', ') : field.value;
  if (field.hint) lines.push(`  ${field.hint}`);
  for (const [i, c] of (field.choices ?? []).entries()) lines.push(`  ${i + 1}. ${c.label}`);
  if (field.kind === 'multichoice') lines.push(`  (${t('console.multiHint')})`);
  if (current) lines.push(`  ${t('console.formCurrent', { value: current })}`);
  return lines.join('\n');
}

/**
 * Read a typed line as the answer to a form field: a number (or "1,3") picks choices, "." keeps what the field holds
 * (or leaves it empty), anything else is the text. Undefined when a choice number is out of range (ask again).
 */
export function readFormAnswer(field: FormField, line: string): string | string[] | undefined {
  const trimmed = line.trim();
  if (trimmed === '.') return field.value ?? '';
  const choices = field.choices ?? [];
  if (field.kind === 'choice' || field.kind === 'multichoice') {
    const picked = trimmed.split(/[\s,]+/).map((n) => choices[Number(n) - 1]?.id);
    if (picked.some((id) => id === undefined)) return undefined;
    return field.kind === 'choice' ? (picked.length === 1 ? (picked[0] as string) : undefined) : (picked as string[]);
  }
  return trimmed;
}
