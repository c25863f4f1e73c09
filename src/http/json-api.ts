import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { readJson } from './body.js';
import { HttpError, type HttpHeaders } from './errors.js';
import type { HttpMethod, RouteParams, RouteSpec } from './router.js';
import { sendJson } from './send.js';

/** Decides whether a request may use the route; checked before the body is read. */
export type AuthCheck = (req: IncomingMessage) => boolean | Promise<boolean>;

/** What a JSON handler answers; no body (or status 204) sends an empty answer. */
export interface JsonReply {
  status: number;
  body?: unknown;
  headers?: HttpHeaders;
}

/** What a JSON handler gets: path parameters, the validated body (when `input` is given), the query, the request. */
export interface JsonRequest<B> {
  params: RouteParams;
  body: B;
  query: URLSearchParams;
  req: IncomingMessage;
}

export interface JsonRouteSpec<S extends z.ZodType | undefined> {
  method: HttpMethod;
  path: string;
  /** Largest body in bytes; 0 for routes without `input`. */
  bodyLimit: number;
  auth?: AuthCheck;
  /** The body's schema: a bad body is a 400 naming the first bad field; without it the body is not read. */
  input?: S;
  handler: (request: JsonRequest<S extends z.ZodType ? z.output<S> : undefined>) => Promise<JsonReply>;
}

/**
 * A route for a small JSON API (the organiser API): auth first (401 `{ "error": "unauthorized" }`), then the body
 * read within the limit and validated, then the handler, whose reply is sent as JSON. Handlers throw HttpError
 * for refusals (404, 409, …); anything else becomes the server's logged 500.
 */
export function jsonRoute<S extends z.ZodType | undefined = undefined>(spec: JsonRouteSpec<S>): RouteSpec {
  const { method, path, bodyLimit, auth, input, handler } = spec;
  if (input && bodyLimit === 0) throw new Error(`Route ${method} ${path}: an input schema needs a bodyLimit above 0`);
  return {
    method,
    path,
    bodyLimit,
    handler: async (req, res, params) => {
      if (auth && !(await auth(req)))
        throw new HttpError(401, 'unauthorized', { headers: { 'WWW-Authenticate': 'Bearer' } });
      const body = input ? await readJson(req, bodyLimit, input) : undefined;
      const reply = await handler({ params, body: body as never, query: queryOf(req.url), req });
      if (reply.body === undefined || reply.status === 204) {
        res.writeHead(reply.status, { 'Cache-Control': 'no-store', 'Content-Length': 0, ...reply.headers });
        res.end();
      } else sendJson(res, reply.status, reply.body, reply.headers);
    },
  };
}

/**
 * Accepts `Authorization: Bearer <token>` when it equals `token`, compared in constant time (as SHA-256 digests,
 * so not even the length leaks). With no token configured it refuses everything: an API is never open by default.
 */
export function bearerAuth(token: string | undefined): AuthCheck {
  if (!token) return () => false;
  const expected = digest(token);
  return (req) => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer[ ]+(\S+)\s*$/i.exec(header) : null;
    return match ? timingSafeEqual(digest(match[1] as string), expected) : false;
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function queryOf(url: string | undefined): URLSearchParams {
  const at = url?.indexOf('?') ?? -1;
  return new URLSearchParams(at >= 0 ? url?.slice(at + 1) : '');
}
