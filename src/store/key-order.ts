/**
 * The order of keys and index members every back end shares: by Unicode code point, which is the byte order of
 * UTF-8 and so the order SQLite's BINARY collation and Redis sorted sets use. (JavaScript's `<` compares UTF-16
 * code units, which puts U+E000–U+FFFF after astral characters; the memory store must not differ from SQLite.)
 */

/** Negative, zero or positive as `a` sorts before, with or after `b` (code point order). */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The smallest string above every string that starts with `prefix`, for a range scan `key >= prefix AND key < end`;
 * undefined when there is none (an empty prefix, or one of only U+10FFFF).
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix, (c) => c.codePointAt(0) ?? 0);
  while (points.length > 0) {
    let last = (points.pop() ?? 0) + 1;
    // Surrogate code points are not characters; the next character after U+D7FF is U+E000.
    if (last >= 0xd800 && last <= 0xdfff) last = 0xe000;
    if (last <= 0x10ffff) return String.fromCodePoint(...points, last);
  }
  return undefined;
}
