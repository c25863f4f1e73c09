/**
 * The plain text of a message: what notifications, text-only clients and screen readers get when they cannot
 * show the blocks. It must carry the meaning on its own: every heading and text, each question with its choices,
 * an image's text alternative, facts and links (with their address). Buttons are left out: they are things to
 * do, and every message says in words what they are for.
 */
import type { Block } from './types.js';

/** The lines of one block in a plain-text rendering. */
export function plainLines(block: Block): string[] {
  switch (block.type) {
    case 'heading':
    case 'text':
      return [block.text];
    case 'progress':
      return [block.label];
    case 'single':
    case 'multi':
      return [block.label, ...block.choices.map((c) => `• ${c.label}`)];
    case 'scale':
      return [block.label, `${block.min} = ${block.minLabel} … ${block.max} = ${block.maxLabel}`];
    case 'input':
      return [block.label];
    case 'image':
      return [block.alt];
    case 'facts':
      return block.facts.map((f) => `${f.label}: ${f.value}`);
    case 'links':
      return block.links.map((l) => `${l.label}: ${l.url}`);
    default:
      // Buttons, dividers and blocks without words of their own add nothing to the text.
      return [];
  }
}

/** The plain text of some blocks: their lines, each text once (a question's heading and its label often match). */
export function plainText(blocks: readonly Block[]): string {
  const lines: string[] = [];
  for (const block of blocks) {
    for (const line of plainLines(block)) if (line.trim() !== '' && lines.at(-1) !== line) lines.push(line);
  }
  return lines.join('\n');
}
