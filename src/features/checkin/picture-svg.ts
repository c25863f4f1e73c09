/**
 * The SVG of the result's picture: Glasl's nine rungs as bars that rise with the escalation, in three phase bands,
 * the estimated range filled and bracketed with the words "ongeveer hier", the kind of case above. Neutral colours
 * (greys, one blue); the range is told by the bracket and its label too, never by colour alone. Rendered to PNG
 * once by scripts/render-glasl-images.ts; this file only writes the SVG text.
 */
import type { GlaslEstimate, Track } from './model.js';
import { PICTURE_PHASES } from './picture.js';
import type { RenderContext } from './text.js';

export const PICTURE_WIDTH = 720;
export const PICTURE_HEIGHT = 244;

const INK = '#1d2430';
const SOFT_INK = '#3d4653';
const LINE = '#7b8593';
const BAND = '#f1f3f5';
const MARK = '#1f5f8b';

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The picture for one language, kind of case and range (`null`: no estimate), as SVG text. */
export function pictureSvg(rc: RenderContext, track: Track, glasl: Pick<GlaslEstimate, 'from' | 'to'> | null): string {
  const { t } = rc;
  const left = 24;
  const bandGap = 10;
  const bandWidth = (PICTURE_WIDTH - 2 * left - 2 * bandGap) / 3;
  const bandTop = 74;
  const baseline = 184;
  const barWidth = 46;
  const parts: string[] = [];
  const text = (x: number, y: number, size: number, body: string, extra = '') =>
    `<text x="${x}" y="${y}" font-size="${size}" ${extra}>${escapeXml(body)}</text>`;

  parts.push(`<rect width="${PICTURE_WIDTH}" height="${PICTURE_HEIGHT}" fill="#ffffff"/>`);
  parts.push(text(left, 34, 20, t('result.picture.title'), `font-weight="700" fill="${INK}"`));
  parts.push(
    text(left, 58, 15, t('result.picture.kind', { track: t(`result.trackPlain.${track}`) }), `fill="${SOFT_INK}"`),
  );

  const barX = new Map<number, number>();
  PICTURE_PHASES.forEach((phase, p) => {
    const x = left + p * (bandWidth + bandGap);
    parts.push(`<rect x="${x}" y="${bandTop}" width="${bandWidth}" height="160" rx="8" fill="${BAND}"/>`);
    const label = `${phase.from}-${phase.to} ${t(`result.picture.phase.${phase.id}`)}`;
    parts.push(text(x + bandWidth / 2, 226, 14, label, `text-anchor="middle" fill="${SOFT_INK}" font-weight="700"`));
    const step = bandWidth / 3;
    for (let i = 0; i < 3; i += 1) barX.set(phase.from + i, x + step * i + (step - barWidth) / 2);
  });

  const inRange = (stage: number) => glasl !== null && stage >= glasl.from && stage <= glasl.to;
  const heightOf = (stage: number) => 14 + stage * 8;
  for (let stage = 1; stage <= 9; stage += 1) {
    const x = barX.get(stage) ?? 0;
    const h = heightOf(stage);
    const marked = inRange(stage);
    parts.push(
      `<rect x="${x}" y="${baseline - h}" width="${barWidth}" height="${h}" rx="4" fill="${marked ? MARK : '#ffffff'}" stroke="${marked ? MARK : LINE}" stroke-width="1.5"/>`,
    );
    parts.push(
      text(
        x + barWidth / 2,
        202,
        14,
        String(stage),
        `text-anchor="middle" fill="${marked ? INK : SOFT_INK}"${marked ? ' font-weight="700"' : ''}`,
      ),
    );
  }

  if (glasl) {
    const x1 = barX.get(glasl.from) ?? 0;
    const x2 = (barX.get(glasl.to) ?? 0) + barWidth;
    const top = baseline - heightOf(glasl.to) - 10;
    parts.push(`<path d="M${x1} ${top + 6} V${top} H${x2} V${top + 6}" fill="none" stroke="${INK}" stroke-width="2"/>`);
    parts.push(
      text(
        (x1 + x2) / 2,
        top - 6,
        14,
        t('result.picture.here'),
        `text-anchor="middle" fill="${INK}" font-weight="700"`,
      ),
    );
  } else {
    parts.push(
      text(
        PICTURE_WIDTH / 2,
        96,
        15,
        t('result.picture.none'),
        `text-anchor="middle" fill="${INK}" font-style="italic"`,
      ),
    );
  }

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${PICTURE_WIDTH}" height="${PICTURE_HEIGHT}" viewBox="0 0 ${PICTURE_WIDTH} ${PICTURE_HEIGHT}" font-family="DejaVu Sans, Noto Sans, Liberation Sans, Arial, sans-serif" role="img">`,
    `<title>${escapeXml(
      glasl
        ? t('result.picture.alt', { from: glasl.from, to: glasl.to, track: t(`result.trackPlain.${track}`) })
        : t('result.picture.altNone', { track: t(`result.trackPlain.${track}`) }),
    )}</title>`,
    ...parts,
    '</svg>',
  ].join('\n');
}
