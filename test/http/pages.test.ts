/**
 * What the server itself shows people: the privacy statement and terms the Teams app card links to (plain Dutch,
 * English on request), and the result's pictures at /images — fixed files, nothing outside the folder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { type App, startApp } from '../../src/main.js';
import { freePort } from '../e2e/support/playground-client.js';
import { testConfig } from '../support/make-bot.js';

let app: App;
let base: string;

beforeAll(async () => {
  const port = await freePort();
  app = await startApp(testConfig({ PORT: String(port) }), { log: silentLogger() });
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await app?.close();
});

describe('/privacy and /terms', () => {
  it.each([
    ['/privacy', 'legal.privacy.title', 'legal.privacy.rights'],
    ['/terms', 'legal.terms.title', 'legal.terms.safety'],
  ])('%s: a small HTML page in Dutch, in English with ?lang=en', async (path, title, part) => {
    const nl = await fetch(`${base}${path}`);
    expect(nl.status).toBe(200);
    expect(nl.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(nl.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await nl.text();
    expect(html).toContain('<html lang="nl">');
    expect(html).toContain(`<h1>${app.translator.t('nl', title)}</h1>`);
    expect(html).toContain(app.translator.t('nl', part, { days: 90 }));
    expect(html).not.toMatch(/<script/i);
    const en = await (await fetch(`${base}${path}?lang=en`)).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain(app.translator.t('en', title));
    // Anything else than "en" is Dutch.
    expect(await (await fetch(`${base}${path}?lang=<b>`)).text()).toContain('<html lang="nl">');
  });

  it('names the retention period of this deployment', async () => {
    expect(await (await fetch(`${base}/privacy`)).text()).toContain('dan hoogstens 90 dagen');
  });
});

describe('/images', () => {
  it('serves the result’s pictures as PNG, and nothing outside the folder', async () => {
    const picture = await fetch(`${base}/images/glasl/nl-both-4-5.png`);
    expect(picture.status).toBe(200);
    expect(picture.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await picture.arrayBuffer())
        .subarray(1, 4)
        .toString('ascii'),
    ).toBe('PNG');
    expect((await fetch(`${base}/images/glasl/nl-both-4-99.png`)).status).toBe(404);
    expect((await fetch(`${base}/images/%2e%2e/%2e%2e/package.json`)).status).toBe(404);
  });
});
