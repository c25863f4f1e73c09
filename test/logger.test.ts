import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { appVersion, createLogger, REDACT_PATHS, REDACTED, silentLogger } from '../src/logger.js';
import { captureLogger } from './support/capture-logger.js';

const CANARY = 'CANARY-7f3a-stembusakkoord';

/** Split a pino redact path (`a.b["x-y"]`) into its segments. */
function segments(path: string): string[] {
  return [...path.matchAll(/([^.[\]"]+)|\["([^"]+)"\]/g)].map((m) => m[2] ?? m[1] ?? '');
}

/** An object with CANARY at `path`, plus an innocent sibling at each level. */
function objectAt(path: string): Record<string, unknown> {
  const root: Record<string, unknown> = { keep: 'visible' };
  let node = root;
  const parts = segments(path);
  parts.forEach((part, i) => {
    if (i === parts.length - 1) node[part] = CANARY;
    else {
      const child: Record<string, unknown> = { keep: 'visible' };
      node[part] = child;
      node = child;
    }
  });
  return root;
}

function valueAt(obj: unknown, path: string): unknown {
  return segments(path).reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], obj);
}

describe('createLogger', () => {
  it('writes JSON lines with service and version', () => {
    const cap = captureLogger();
    cap.log.info({ dialogId: 'checkin' }, 'dialog step sent');
    const [line] = cap.lines();
    expect(line).toMatchObject({
      service: 'bubbelbreker',
      version: appVersion(),
      dialogId: 'checkin',
      msg: 'dialog step sent',
      level: 30,
    });
    expect(appVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('uses wildcards only one level deep, for tokens and authorization headers', () => {
    expect(REDACT_PATHS.length).toBeGreaterThan(20);
    for (const path of REDACT_PATHS.filter((p) => p.includes('*'))) {
      expect(path).toMatch(/^\*\.[A-Za-z.]+$/);
      expect(path).toMatch(/token|authorization/i);
    }
  });

  it.each(REDACT_PATHS.map((p) => [p]))('redacts %s', (path) => {
    const cap = captureLogger();
    // A wildcard is tried under a parent named like a real one.
    const concrete = path.replace(/^\*\./, 'installation.');
    cap.log.info(objectAt(concrete), 'event handled');
    const line = cap.lines()[0];
    // The value is redacted, or a whole parent is (`user` hides `user.name` with it).
    const parts = segments(concrete);
    const hidden = parts.some((_, i) => valueAt(line, parts.slice(0, i + 1).join('.')) === REDACTED);
    expect(hidden).toBe(true);
    expect(line?.keep).toBe('visible');
    expect(cap.text()).not.toContain(CANARY);
  });

  it('redacts in child loggers too', () => {
    const cap = captureLogger();
    const child = cap.log.child({ component: 'slack' }).child({ platform: 'slack', eventId: 'Ev1' });
    child.warn(
      { answers: { q1: CANARY }, event: { text: CANARY }, req: { headers: { authorization: `Bearer ${CANARY}` } } },
      'x',
    );
    expect(cap.text()).not.toContain(CANARY);
    expect(cap.lines()[0]).toMatchObject({ component: 'slack', eventId: 'Ev1' });
  });

  it('respects the level', () => {
    const cap = captureLogger({ level: 'warn' });
    cap.log.info('hidden');
    cap.log.warn('shown');
    expect(cap.lines().map((l) => l.msg)).toEqual(['shown']);
  });

  it('pretty output is human-readable and still redacted', async () => {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    const log = createLogger({ level: 'info', pretty: true, destination });
    log.info({ token: CANARY, dialogId: 'checkin' }, 'pretty line');
    await vi.waitFor(() => expect(chunks.join('')).toContain('pretty line'));
    const out = chunks.join('');
    expect(out).toContain('pretty line');
    expect(out).toContain('INFO');
    expect(out).not.toContain(CANARY);
    expect(() => JSON.parse(out)).toThrow();
  });

  it('silentLogger writes nothing and accepts every call', () => {
    const log = silentLogger();
    expect(log.level).toBe('silent');
    expect(() => log.child({ component: 'x' }).error({ err: new Error('e') }, 'm')).not.toThrow();
  });
});

describe('errors in log lines', () => {
  it('keep class, code and frames but never a foreign message or its cause’s message', async () => {
    const { captureLogger } = await import('./support/capture-logger.js');
    const { StoreError } = await import('../src/errors.js');
    const cap = captureLogger();
    // An SDK error carrying the request it made, token included (axios-style `config.headers`).
    const foreign = Object.assign(new TypeError('cannot read CANARY-answer of undefined'), {
      code: 'E_FOREIGN',
      payload: 'CANARY-payload',
      config: { headers: { Authorization: 'Bearer CANARY-token' } },
    });
    cap.log.error({ err: new StoreError('sqlite store: write failed', { cause: foreign }) }, 'store failed');
    cap.log.warn({ err: foreign }, 'plain');
    const text = cap.text();
    expect(text).not.toContain('CANARY');
    const [first, second] = cap.lines() as { err: Record<string, unknown> }[];
    expect(first?.err).toMatchObject({
      type: 'StoreError',
      message: 'sqlite store: write failed',
      code: 'STORE_UNAVAILABLE',
      cause: { type: 'TypeError', code: 'E_FOREIGN' },
    });
    expect(String(first?.err.frames)).toContain('at ');
    expect(second?.err).toMatchObject({ type: 'TypeError', code: 'E_FOREIGN' });
  });
});
