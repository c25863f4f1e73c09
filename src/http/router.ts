import type { IncomingMessage, ServerResponse } from 'node:http';
import FindMyWay from 'find-my-way';
import type { Logger } from 'pino';
import { errorFacts, HttpError, payloadTooLarge } from './errors.js';
import { sendHttpError, sendJson } from './send.js';

/** Methods a route may be registered for. GET routes answer HEAD as well (Node leaves out the body). */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** Path parameters by name (`/api/announcements/:id` → `{ id }`), already percent-decoded; `*` for a wildcard. */
export type RouteParams = Readonly<Record<string, string>>;

/** Answers one request. It may throw (or reject with) an HttpError; anything else becomes a logged 500. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: RouteParams) => void | Promise<void>;

/** One route: every route states the largest body it takes, in bytes (0 for routes that take none). */
export interface RouteSpec {
  method: HttpMethod;
  /** A find-my-way pattern: `/slack/events`, `/api/announcements/:id`, `/files/*`. */
  path: string;
  bodyLimit: number;
  handler: RouteHandler;
}

/** The shared server as seen by adapters and features: they register their routes. */
export interface HttpRoutes {
  route(spec: RouteSpec): void;
}

/** Routes plus dispatch; the server wraps it with time limits, metrics and shutdown. */
export interface Router extends HttpRoutes {
  /** Answer one request; returns the matched route pattern, or "other", as the metrics label. */
  dispatch(req: IncomingMessage, res: ServerResponse): string;
  /** Every registered route as `METHOD pattern`, in registration order (HEAD twins left out). */
  list(): string[];
}

/** The metrics label of requests that matched no route: a scan of random URLs cannot grow the label set. */
export const UNMATCHED = 'other';

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const NO_QUERY = Object.freeze({});

interface Registered {
  pattern: string;
  bodyLimit: number;
  handler: RouteHandler;
}

/** A router on find-my-way: path parameters, 404 and 405 (with Allow) as JSON, body limits checked up front. */
export function createRouter(deps: { log: Logger }): Router {
  // The query string is left to the handlers that want it (json-api.ts): no parsing on the hot path.
  const fmw = FindMyWay({ querystringParser: () => NO_QUERY, onBadUrl: () => undefined });
  const registered: string[] = [];
  const used = new Set<HttpMethod | 'HEAD'>();

  const route = (spec: RouteSpec): void => {
    const { method, path, bodyLimit, handler } = spec;
    if (!METHODS.includes(method)) throw new Error(`Route ${path}: method ${String(method)} is not supported`);
    if (!path.startsWith('/')) throw new Error(`Route ${method} ${path}: the path must start with "/"`);
    if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 0)
      throw new Error(`Route ${method} ${path}: bodyLimit must be a whole number of bytes (0 for no body)`);
    const key = `${method} ${path}`;
    if (registered.includes(key)) throw new Error(`Route ${key} is registered twice`);
    const store: Registered = { pattern: path, bodyLimit, handler };
    const methods: Array<HttpMethod | 'HEAD'> = method === 'GET' ? ['GET', 'HEAD'] : [method];
    fmw.on(methods, path, () => undefined, store);
    for (const m of methods) used.add(m);
    registered.push(key);
  };

  const fail = (error: unknown, req: IncomingMessage, res: ServerResponse, pattern: string): void => {
    if (error instanceof HttpError) {
      sendHttpError(res, error);
      return;
    }
    // Code and class only: a message may echo what the client sent.
    deps.log.error({ ...errorFacts(error), method: req.method, route: pattern }, 'request handler failed');
    if (res.headersSent) res.destroy();
    else sendJson(res, 500, { error: 'internal' });
  };

  /** No route for this method: 405 with Allow when the path exists for others, else 404. */
  const miss = (req: IncomingMessage, res: ServerResponse, url: string): string => {
    const allow: string[] = [];
    let pattern = UNMATCHED;
    for (const m of used) {
      const other = fmw.find(m, url);
      if (other?.store) {
        allow.push(m);
        pattern = (other.store as Registered).pattern;
      }
    }
    // A body we will not read: close rather than let Node drain it for the next request.
    const close: Record<string, string> = carriesBody(req) ? { Connection: 'close' } : {};
    if (allow.length === 0) sendJson(res, 404, { error: 'not_found' }, close);
    else sendJson(res, 405, { error: 'method_not_allowed' }, { ...close, Allow: sortMethods(allow).join(', ') });
    return pattern;
  };

  const dispatch = (req: IncomingMessage, res: ServerResponse): string => {
    const url = req.url ?? '/';
    const found = fmw.find((req.method ?? 'GET') as FindMyWay.HTTPMethod, url);
    if (found === null) return miss(req, res, url);
    const target = found.store as Registered | null;
    if (target === null) {
      sendJson(res, 400, { error: 'bad_url' }, carriesBody(req) ? { Connection: 'close' } : {});
      return UNMATCHED;
    }
    if (overLimit(req, target.bodyLimit)) {
      sendHttpError(res, payloadTooLarge());
      return target.pattern;
    }
    try {
      const result = target.handler(req, res, found.params as RouteParams);
      if (result) result.then(undefined, (error: unknown) => fail(error, req, res, target.pattern));
    } catch (error) {
      fail(error, req, res, target.pattern);
    }
    return target.pattern;
  };

  return { route, dispatch, list: () => [...registered] };
}

/** A declared length over the limit, or (for routes that take no body) any body of unknown length. */
function overLimit(req: IncomingMessage, limit: number): boolean {
  const declared = req.headers['content-length'];
  if (declared !== undefined) return Number(declared) > limit;
  return limit === 0 && req.headers['transfer-encoding'] !== undefined;
}

function carriesBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;
}

const ORDER = ['GET', 'HEAD', ...METHODS.slice(1)];
function sortMethods(methods: string[]): string[] {
  return methods.sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
}
