/**
 * Text normalisers shared by every place that compares what a person typed with a known word or label:
 * lower case, no accents, hyphens and underscores as spaces, single spaces.
 */

/** Fold accents and case: "Één" and "een" compare equal. */
export function foldAccents(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** For command words: accents and case folded, hyphens/underscores as spaces, no leading slash or bot name. */
export function normalizeCommand(text: string): string {
  return (
    foldAccents(text)
      .replace(/[-_]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/^\/?bubbelbreker\b\s*/, '')
      .replace(/^\//, '')
      // "Hoi!", "Nederlands." and "help?" are the commands; a lone "?" stays the help command.
      .replace(/(?<=.)[\s!.,?…]+$/u, '')
  );
}

/** For matching a typed answer with a button label: only letters and digits count ("Ja!" equals "ja"). */
export function simplifyLabel(text: string): string {
  return foldAccents(text)
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}
