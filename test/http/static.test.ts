import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticRoute } from '../../src/http/static.js';
import { call, json, startServer, stopAll } from './client.js';

let base: string;
let port: number;

beforeAll(async () => {
  // <base>/public is served; <base>/secret.txt and <base>/public/.env must never be.
  base = mkdtempSync(join(tmpdir(), 'bb-static-'));
  const dir = join(base, 'public');
  mkdirSync(join(dir, 'images'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<h1>Dorpsavond</h1>');
  writeFileSync(join(dir, 'images', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  writeFileSync(join(dir, 'notes.unknownext'), 'bytes');
  writeFileSync(join(dir, '.env'), 'SECRET=geheim');
  writeFileSync(join(base, 'secret.txt'), 'geheim');
  symlinkSync(join(base, 'secret.txt'), join(dir, 'escape.txt'));
  symlinkSync(join(dir, 'index.html'), join(dir, 'alias.html'));
  utimesSync(join(dir, 'index.html'), new Date('2026-03-01T10:00:00Z'), new Date('2026-03-01T10:00:00Z'));
  ({ port } = await startServer((s) => s.route(staticRoute({ prefix: '/public/', dir, maxAgeS: 60 }))));
});
afterAll(async () => {
  await stopAll();
  rmSync(base, { recursive: true, force: true });
});

describe('static files', () => {
  it('serves a file with its content type, length, caching headers and validators', async () => {
    const page = await call(port, 'GET', '/public/index.html?v=2');
    expect(page.status).toBe(200);
    expect(page.body).toBe('<h1>Dorpsavond</h1>');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-length']).toBe(String('<h1>Dorpsavond</h1>'.length));
    expect(page.headers['cache-control']).toBe('public, max-age=60');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers.etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    expect(page.headers['last-modified']).toBe('Sun, 01 Mar 2026 10:00:00 GMT');
    const logo = await call(port, 'GET', '/public/images/logo.png');
    expect(logo.headers['content-type']).toBe('image/png');
    expect((await call(port, 'GET', '/public/notes.unknownext')).headers['content-type']).toBe(
      'application/octet-stream',
    );
    expect((await call(port, 'GET', '/public/alias.html')).body).toBe('<h1>Dorpsavond</h1>');
  });

  it('answers 304 to a matching If-None-Match or If-Modified-Since, 200 otherwise', async () => {
    const first = await call(port, 'GET', '/public/index.html');
    const etag = String(first.headers.etag);
    const cached = await call(port, 'GET', '/public/index.html', { headers: { 'If-None-Match': etag } });
    expect(cached.status).toBe(304);
    expect(cached.body).toBe('');
    expect((await call(port, 'GET', '/public/index.html', { headers: { 'If-None-Match': '"other"' } })).status).toBe(
      200,
    );
    const since = { 'If-Modified-Since': 'Sun, 01 Mar 2026 10:00:00 GMT' };
    expect((await call(port, 'GET', '/public/index.html', { headers: since })).status).toBe(304);
    const before = { 'If-Modified-Since': 'Sat, 28 Feb 2026 10:00:00 GMT' };
    expect((await call(port, 'GET', '/public/index.html', { headers: before })).status).toBe(200);
  });

  it('answers HEAD with the headers only', async () => {
    const head = await call(port, 'HEAD', '/public/index.html');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe(String('<h1>Dorpsavond</h1>'.length));
  });

  it('404 for anything missing, and for folders (no listing)', async () => {
    for (const path of ['/public/missing.png', '/public/images', '/public/images/', '/public/', '/public']) {
      const reply = await call(port, 'GET', path);
      expect(reply.status, path).toBe(404);
      expect(json(reply)).toEqual({ error: 'not_found' });
    }
  });

  it('never serves anything outside the folder, hidden files, or through a link that leads out', async () => {
    const attempts = [
      '/public/../secret.txt',
      '/public/images/../../secret.txt',
      '/public/%2e%2e/secret.txt',
      '/public/..%2fsecret.txt',
      '/public/..%2Fsecret.txt',
      '/public/%2e%2e%2fsecret.txt',
      '/public/..%5csecret.txt',
      '/public/%2fetc%2fpasswd',
      '/public//etc/passwd',
      '/public/images/%00../../secret.txt',
      '/public/.env',
      '/public/images/../.env',
      '/public/escape.txt',
    ];
    for (const path of attempts) {
      const reply = await call(port, 'GET', path);
      expect(reply.status, path).toBe(404);
      expect(reply.body, path).not.toContain('geheim');
      expect(reply.body, path).not.toContain('root:');
    }
  });

  it('refuses a body and other methods like any route', async () => {
    expect((await call(port, 'POST', '/public/index.html', { body: 'x' })).status).toBe(405);
    const withBody = await call(port, 'GET', '/public/index.html', {
      headers: { 'Content-Length': 10 },
      holdBody: true,
    });
    expect(withBody.status).toBe(413);
  });
});
