import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readBody, readJson, validate } from '../../src/http/body.js';
import { HttpError } from '../../src/http/errors.js';
import { call, json, startServer, stopAll } from './client.js';

afterEach(stopAll);

describe('readBody', () => {
  async function echo(limit: number) {
    const { port } = await startServer((s) =>
      s.route({
        method: 'POST',
        path: '/echo',
        bodyLimit: limit,
        handler: async (req, res) => {
          const body = await readBody(req, limit);
          res.end(body.toString('hex'));
        },
      }),
    );
    return port;
  }

  it('returns the exact raw bytes, in one piece or many', async () => {
    const port = await echo(1000);
    expect((await call(port, 'POST', '/echo', { body: Buffer.from([0xc3, 0xa9, 0, 1]) })).body).toBe('c3a90001');
    const chunked = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/echo', agent: false }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.write('ab');
      setTimeout(() => req.end('cd'), 20);
    });
    expect(chunked).toBe(Buffer.from('abcd').toString('hex'));
  });

  it('413 for a body over the limit: declared (before reading) or streamed', async () => {
    const port = await echo(10);
    const declared = await call(port, 'POST', '/echo', { body: 'x'.repeat(11) });
    expect(declared.status).toBe(413);
    expect(declared.headers.connection).toBe('close');
    expect(json(declared)).toEqual({ error: 'payload_too_large' });
    const streamed = await call(port, 'POST', '/echo', {
      body: 'y'.repeat(50),
      headers: { 'Transfer-Encoding': 'chunked' },
    });
    expect(streamed.status).toBe(413);
    expect(streamed.headers.connection).toBe('close');
  });

  it('rejects with 400 request_aborted when the client goes away mid-body', async () => {
    let outcome!: (e: unknown) => void;
    let entered!: () => void;
    const seen = new Promise<unknown>((r) => (outcome = r));
    const inHandler = new Promise<void>((r) => (entered = r));
    const { port } = await startServer((s) =>
      s.route({
        method: 'POST',
        path: '/abort',
        bodyLimit: 1000,
        handler: async (req) => {
          const body = readBody(req, 1000).then(outcome, outcome);
          entered();
          await body;
        },
      }),
    );
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/abort',
      headers: { 'Content-Length': '100' },
      agent: false,
    });
    req.on('error', () => undefined);
    req.write('partial');
    await inHandler;
    req.destroy();
    const error = await seen;
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    expect((error as HttpError).reason).toBe('request_aborted');
  });
});

describe('readJson', () => {
  const Announcement = z.object({
    title: z.string().min(1),
    audience: z.object({ slackChannels: z.array(z.string()), teamsTeams: z.array(z.string()).optional() }),
    items: z.array(z.object({ at: z.number().int() })).optional(),
    kind: z.enum(['news', 'event'], { error: 'kind must be news or event' }),
  });

  async function api(limit = 1000) {
    const received: unknown[] = [];
    const { port } = await startServer((s) =>
      s.route({
        method: 'POST',
        path: '/api/announcements',
        bodyLimit: limit,
        handler: async (req, res) => {
          received.push(await readJson(req, limit, Announcement));
          res.end('ok');
        },
      }),
    );
    const post = (body: string, contentType: string | null = 'application/json') =>
      call(port, 'POST', '/api/announcements', { body, headers: contentType ? { 'Content-Type': contentType } : {} });
    return { post, received };
  }
  const valid = { title: 'Dorpsavond', audience: { slackChannels: ['C1'] }, kind: 'event' };

  it('parses and validates, returning the schema output', async () => {
    const { post, received } = await api();
    expect((await post(JSON.stringify(valid), 'application/json; charset=utf-8')).status).toBe(200);
    expect(received).toEqual([valid]);
  });

  it('415 for a content type that is not JSON (or none); +json types are JSON', async () => {
    const { post, received } = await api();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonp', null]) {
      const reply = await post(JSON.stringify(valid), type);
      expect(reply.status).toBe(415);
      expect(json(reply)).toEqual({ error: 'unsupported_content_type' });
    }
    expect((await post(JSON.stringify(valid), 'application/vnd.api+json')).status).toBe(200);
    expect(received).toHaveLength(1);
  });

  it('400 for an empty body or broken JSON', async () => {
    const { post } = await api();
    expect(json(await post(''))).toEqual({ error: 'empty_body' });
    const broken = await post('{"title": "geheim-canary"');
    expect(broken.status).toBe(400);
    expect(json(broken)).toEqual({ error: 'malformed_json' });
  });

  it('400 naming the first bad field path and what was expected, never the value', async () => {
    const { post } = await api();
    const cases: Array<[unknown, string]> = [
      [{ ...valid, audience: { slackChannels: 'geheim-canary' } }, 'audience.slackChannels: expected array'],
      [{ ...valid, audience: { slackChannels: ['C1', 42] } }, 'audience.slackChannels[1]: expected string'],
      [{ ...valid, items: [{ at: 1 }, { at: 'geheim-canary' }] }, 'items[1].at: expected number'],
      [{ ...valid, kind: 'geheim-canary' }, 'kind: kind must be news or event'],
      [['geheim-canary'], 'body: expected object'],
    ];
    for (const [body, reason] of cases) {
      const reply = await post(JSON.stringify(body));
      expect(reply.status).toBe(400);
      expect(json(reply)).toEqual({ error: reason });
      expect(reply.body).not.toContain('canary');
    }
  });

  it('413 for a JSON body over the limit', async () => {
    const { post } = await api(50);
    expect((await post(JSON.stringify({ ...valid, title: 'x'.repeat(100) }))).status).toBe(413);
  });
});

describe('validate', () => {
  it('keeps a schema’s own message and shortens zod’s', () => {
    const schema = z.object({ name: z.string({ error: 'name is required' }), age: z.number() });
    expect(() => validate(schema, { age: 1 })).toThrow(expect.objectContaining({ reason: 'name: name is required' }));
    expect(() => validate(schema, { name: 'x', age: '1' })).toThrow(
      expect.objectContaining({ status: 400, reason: 'age: expected number' }),
    );
    expect(validate(schema, { name: 'x', age: 1 })).toEqual({ name: 'x', age: 1 });
  });
});
