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

/**
 * Recognise a command at the start of `text`. Returns undefined for anything else,
 * so ordinary answers ("stoppen met windmolens?") are not mistaken for commands: the phrase must be
 * the whole text or be followed by a space, and for free text we only accept it as the whole text
 * or with a short argument.
 */
export function parseCommand(text: string): ParsedCommand | undefined {
  const normalized = normalize(text);
  if (normalized.length === 0) return undefined;
  for (const [phrase, name] of PHRASES) {
    if (normalized === phrase) return { name, args: '' };
    if (normalized.startsWith(`${phrase} `)) {
      const args = normalized.slice(phrase.length + 1).trim();
      // Commands take at most a short argument (a language, a module id); longer text is an answer.
      if (args.split(' ').length <= 2) return { name, args };
    }
  }
  return undefined;
}

/** The words for a command, for help texts and tests. */
export function commandWords(name: CommandName): readonly string[] {
  return COMMAND_WORDS[name];
}
