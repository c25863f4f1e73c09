/**
 * Short pages people open from the Teams app card and the welcome: the privacy statement and the terms of use,
 * in plain Dutch (B1) and English, from the locale files (`legal.*`). The register the data protection officer
 * keeps stays in docs/privacy.md; this is what a person needs to know. `?lang=en` shows English.
 */
import type { Translator } from '../i18n/translator.js';
import type { Locale } from '../message/types.js';
import type { RouteSpec } from './router.js';

/** The paragraphs of each page, in order; texts `legal.<page>.<part>`, the title `legal.<page>.title`. */
const PAGES = {
  privacy: ['who', 'what', 'sensitive', 'howLong', 'rights', 'safety', 'logs', 'contact'],
  terms: ['what', 'names', 'safety', 'content', 'changes', 'privacy'],
} as const;

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One page as a small, self-contained HTML document (no scripts, no outside resources). */
export function renderPage(translator: Translator, page: keyof typeof PAGES, locale: Locale, days: number): string {
  const t = (key: string) => translator.t(locale, key, { days });
  const other: Locale = locale === 'nl' ? 'en' : 'nl';
  // Spelled out per page, so every text key can be found in the code.
  const key = (part: string) => (page === 'privacy' ? `legal.privacy.${part}` : `legal.terms.${part}`);
  const paragraphs = PAGES[page].map((part) => `<p>${escapeHtml(t(key(part)))}</p>`).join('\n');
  const link = page === 'privacy' ? 'terms' : 'privacy';
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t(key('title')))}</title>
<style>body{font:1.05rem/1.6 system-ui,sans-serif;margin:0;color:#1d2430;background:#fff}main{max-width:40rem;margin:0 auto;padding:2rem 1.25rem}h1{font-size:1.5rem;line-height:1.3}a{color:#1f5f8b}</style>
</head>
<body>
<main>
<h1>${escapeHtml(t(key('title')))}</h1>
${paragraphs}
<p><a href="/${link}?lang=${locale}">${escapeHtml(t(`legal.links.${link}`))}</a> · <a href="/${page}?lang=${other}" lang="${other}" hreflang="${other}">${escapeHtml(translator.t(other, 'legal.links.language'))}</a></p>
</main>
</body>
</html>
`;
}

/** GET /privacy and GET /terms, Dutch unless `?lang=en`. */
export function legalPageRoutes(translator: Translator, retentionDays: number): RouteSpec[] {
  return (Object.keys(PAGES) as (keyof typeof PAGES)[]).map((page) => ({
    method: 'GET',
    path: `/${page}`,
    bodyLimit: 0,
    handler: async (req, res) => {
      const lang = new URL(req.url ?? '/', 'http://localhost').searchParams.get('lang');
      const html = renderPage(translator, page, lang === 'en' ? 'en' : 'nl', retentionDays);
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': Buffer.byteLength(html),
        'Cache-Control': 'public, max-age=300',
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
      });
      res.end(req.method === 'HEAD' ? undefined : html);
    },
  }));
}
