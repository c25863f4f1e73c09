/**
 * The picture in the result: Glasl's nine rungs in three phases with the estimated range marked, and the kind of
 * case. One fixed image per language, kind and range (pre-rendered by scripts/render-glasl-images.ts into
 * public/images/glasl/), so its address names no person and no result. Always with its words: an alt text for
 * screen readers and a compact line for clients that show no pictures (the terminal).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Block, Locale } from '../../message/types.js';
import type { GlaslEstimate, Track } from './model.js';
import type { RenderContext } from './text.js';

/** Where the pictures are served: `<PUBLIC_URL>/images/glasl/<name>`. */
export const PICTURE_PATH = '/images/glasl';

/** Glasl's phases as stage bands, for the picture's three parts. */
export const PICTURE_PHASES = [
  { id: 'winWin', from: 1, to: 3 },
  { id: 'winLose', from: 4, to: 6 },
  { id: 'loseLose', from: 7, to: 9 },
] as const;

/**
 * The ranges drawn: every range of two or three rungs. The check-in estimates the highest stage signalled and one
 * higher (one lower too when unsure); any other range gets no picture, only its words.
 */
export const PICTURE_RANGES: readonly (readonly [number, number])[] = [1, 2].flatMap((width) =>
  Array.from({ length: 9 - width }, (_, i) => [i + 1, i + 1 + width] as const),
);

/** The file name of a picture: language, kind of case, and the range or `none`. No person, no result. */
export function pictureName(locale: Locale, track: Track, glasl: GlaslEstimate | null): string | undefined {
  if (!glasl) return `${locale}-${track}-none.png`;
  return PICTURE_RANGES.some(([from, to]) => from === glasl.from && to === glasl.to)
    ? `${locale}-${track}-${glasl.from}-${glasl.to}.png`
    : undefined;
}

/** "1 2 [3 | 4] 5 6 | 7 8 9": the nine rungs, the phases apart, the estimated range in brackets. */
export function ladderLine(glasl: GlaslEstimate): string {
  const parts: string[] = [];
  for (let stage = 1; stage <= 9; stage += 1) {
    if (stage === 4 || stage === 7) parts.push('|');
    const open = stage === glasl.from ? '[' : '';
    const close = stage === glasl.to ? ']' : '';
    parts.push(`${open}${stage}${close}`);
  }
  return parts.join(' ');
}

export interface PictureSource {
  /** PUBLIC_URL: the picture is linked from there (Slack, Teams). */
  publicUrl?: string;
  /** The folder of public files (PUBLIC_DIR): without a public address a picture is inlined from there. */
  publicDir?: string;
}

// The pictures are small and fixed: each is read once per process.
const inlined = new Map<string, string | undefined>();

function inline(dir: string, name: string): string | undefined {
  const file = join(dir, 'images', 'glasl', name);
  if (!inlined.has(file)) {
    let data: string | undefined;
    try {
      data = `data:image/png;base64,${readFileSync(file).toString('base64')}`;
    } catch {
      data = undefined; // not rendered: the words stand alone
    }
    inlined.set(file, data);
  }
  return inlined.get(file);
}

/** The picture block of a result: its address or inline data where there is one, always its words. */
export function pictureBlock(
  rc: RenderContext,
  track: Track,
  glasl: GlaslEstimate | null,
  source: PictureSource,
): Block {
  const trackWords = rc.t(`result.trackPlain.${track}`);
  const alt = glasl
    ? rc.t('result.picture.alt', { from: glasl.from, to: glasl.to, track: trackWords })
    : rc.t('result.picture.altNone', { track: trackWords });
  const text = glasl
    ? rc.t('result.picture.line', { ladder: ladderLine(glasl), track: trackWords })
    : rc.t('result.picture.lineNone', { track: trackWords });
  const name = pictureName(rc.locale, track, glasl);
  const block: Block = { type: 'image', alt, text };
  if (!name) return block;
  if (source.publicUrl) return { ...block, url: `${source.publicUrl.replace(/\/+$/, '')}${PICTURE_PATH}/${name}` };
  const data = source.publicDir ? inline(source.publicDir, name) : undefined;
  return data ? { ...block, inline: data } : block;
}
