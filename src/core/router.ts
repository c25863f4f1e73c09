import type { CommandName } from './context.js';

/** Dutch first, English aliases (design.md Conventions). Matched after normalising case, accents and hyphens. */
const COMMAND_WORDS: Record<CommandName, string[]> = {
  help: ['help', 'hulp', '?'],
  checkin: ['checkin', 'check in'],
  stop: ['stop', 'stoppen'],
  back: ['terug', 'back', 'vorige'],
  language: ['taal', 'language'],
  learn: ['leer', 'learn', 'leren'],
  myResults: ['mijn resultaten', 'my results', 'resultaten', 'results'],
  myData: ['mijn gegevens', 'my data', 'gegevens'],
  forgetMe: ['vergeet mij', 'forget me', 'vergeet me'],
};

/** Lower case, no accents, hyphens and underscores as spaces, single spaces, no leading slash or bot name. */
export function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[-_]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\/?bubbelbreker\b\s*/, '')
    .replace(/^\//, '');
}

// Longest phrases first, so "mijn resultaten" wins over a shorter alias.
const PHRASES: [string, CommandName][] = Object.entries(COMMAND_WORDS)
  .flatMap(([name, words]) => words.map((w) => [w, name as CommandName] as [string, CommandName]))
  .sort((a, b) => b[0].length - a[0].length);

/** A parsed command: its canonical name and the rest of the text (original case kept). */
export interface ParsedCommand {
  name: CommandName;
  args: string;
}

/** Commands that take a short argument: `taal en`, `leer m3`, `leer rollen`. The others must stand alone. */
const TAKES_ARGUMENT: ReadonlySet<CommandName> = new Set(['language', 'learn']);

/**
 * Recognise a command in `text`. Only the command phrase on its own counts — or, for `taal` and `leer`, the
 * phrase with a short argument — so an answer such as "stoppen met windmolens?" or a note that starts with
 * "stop" is never mistaken for a command.
 */
export function parseCommand(text: string): ParsedCommand | undefined {
  const normalized = normalize(text);
  if (normalized.length === 0) return undefined;
  for (const [phrase, name] of PHRASES) {
    if (normalized === phrase) return { name, args: '' };
    if (TAKES_ARGUMENT.has(name) && normalized.startsWith(`${phrase} `)) {
      const args = normalized.slice(phrase.length + 1).trim();
      if (args.split(' ').length <= 2) return { name, args };
    }
  }
  return undefined;
}
