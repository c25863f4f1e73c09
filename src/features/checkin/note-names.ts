/**
 * Does a note look like it names someone? A gentle check, not a filter: the note is the person's own, and the
 * answer only decides whether the bot asks "keep it like this, or change it?". It looks for e-mail addresses,
 * @mentions, a title followed by a name ("wethouder Jansen", "mevrouw De Vries", "councillor Smith") and
 * capitalised words that do not start a sentence (names, in Dutch and English alike). Place names and other
 * proper nouns trigger it too; that is why it only asks. Never log the note or what matched.
 */

const EMAIL = /[^\s@]+@[^\s@]+\.[^\s@]{2,}/u;
const MENTION = /(^|[\s(])@[\p{L}\p{N}._-]{2,}/u;
/** Titles and roles that are followed by a name; matched ignoring case. */
const TITLES = [
  'wethouder',
  'burgemeester',
  'raadslid',
  'raadsheer',
  'mevrouw',
  'mevr',
  'meneer',
  'dhr',
  'collega',
  'buurman',
  'buurvrouw',
  'councillor',
  'alderman',
  'mayor',
  'mr',
  'mrs',
  'ms',
  'colleague',
  'neighbour',
];
/** A title (any case) and the word after it; that word counts when it starts with a capital ("wethouder Jansen"). */
const TITLE_THEN_WORD = new RegExp(`(?:^|[^\\p{L}])(?:${TITLES.join('|')})\\.?\\s+(\\S+)`, 'giu');
const STARTS_CAPITAL = /^\p{Lu}/u;
/** A word that starts with a capital followed by a small letter: "Jansen", "De" (as in "De Vries"), "Amsterdam". */
const CAPITALISED = /^\p{Lu}\p{Ll}/u;
/** Capitalised words that name no one: English days and months, languages, the platforms, the method's authors. */
const NAMES_NO_ONE = new Set(
  [
    'monday',
    'tuesday',
    'wednesday',
    'thursday',
    'friday',
    'saturday',
    'sunday',
    'january',
    'february',
    'march',
    'april',
    'may',
    'june',
    'july',
    'august',
    'september',
    'october',
    'november',
    'december',
    'english',
    'dutch',
    'nederlands',
    'slack',
    'teams',
    'glasl',
    'brandsma',
  ].map((w) => w.toLowerCase()),
);

export function looksLikeItNamesSomeone(note: string): boolean {
  if (EMAIL.test(note) || MENTION.test(note)) return true;
  for (const match of note.matchAll(TITLE_THEN_WORD)) if (STARTS_CAPITAL.test(match[1] ?? '')) return true;
  // Sentences end at . ! ? or a line break; the first word of each may be capitalised.
  for (const sentence of note.split(/[.!?]+\s+|\n+/u)) {
    const words = sentence
      .split(/\s+/u)
      .map((w) => w.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, ''))
      .filter(Boolean);
    for (const word of words.slice(1)) if (CAPITALISED.test(word) && !NAMES_NO_ONE.has(word.toLowerCase())) return true;
  }
  return false;
}
