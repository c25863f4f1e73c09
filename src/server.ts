import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { RouteHandler } from './core/http.js';
import { BotError } from './errors.js';
import type { Metrics } from './metrics.js';

// Bolt's HTTPReceiver `requestListener` fits RouteHandler as is.
export type { RouteHandler } from './core/http.js';

/** Resolves true (or `{ ready: true }`) when the bot can serve traffic, e.g. the store answers. */
export type ReadinessCheck = () => Promise<boolean | { ready: boolean; reason?: string }>;

export interface ServerDeps {
  config: Pick<Config, 'host' | 'port'>;
  log: Logger;
  metrics: Metrics;
  isReady: ReadinessCheck;
  /** How long /readyz waits for `isReady` (default 2 s). */
  readyTimeoutMs?: number;
  /** How long `close()` waits for requests in flight before cutting them off (default 10 s). */
  closeTimeoutMs?: number;
}

/** The one HTTP server: health, readiness and metrics built in; adapters mount their own routes (it is an `HttpRoutes`). */
export interface BotServer {
  /** Add a route: exact path (query ignored), one method. GET routes also answer HEAD. */
  mount(method: string, path: string, handler: RouteHandler): void;
  /** Bind config.host/config.port (plus ::1 beside 127.0.0.1); resolves with the bound port. */
  listen(): Promise<number>;
  /** Stop accepting, let requests in flight finish (up to the timeout), then resolve. */
  close(timeoutMs?: number): Promise<void>;
  /** The request listener itself (dispatches by path). */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
}

/** A request the client got wrong; the server answers with `status` and `{ error: reason }`. */
export class HttpError extends BotError {
  constructor(
    readonly status: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('BAD_REQUEST', `HTTP ${status} ${reason}`, options);
  }
}

/** Read the raw request body (signature checks need the exact bytes). 413 when over `limitBytes`, 400 when aborted. */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limitBytes) {
      req.resume(); // discard; the 413 response closes the connection
      reject(new HttpError(413, 'payload_too_large'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error: HttpError | undefined): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error) {
        req.resume();
        reject(error);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) settle(new HttpError(413, 'payload_too_large'));
      else chunks.push(chunk);
    };
    const onEnd = (): void => settle(undefined);
    const onError = (error: Error): void => settle(new HttpError(400, 'request_aborted', { cause: error }));
    const onClose = (): void => {
      if (!req.complete) settle(new HttpError(400, 'request_aborted'));
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/** Send a small JSON answer, unless the response has started already. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(JSON.stringify(body));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function listenOn(server: Server, port: number, host: string, ipv6Only = false): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, ipv6Only }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Build the server; nothing is bound until `listen()`. */
export function createServer(deps: ServerDeps): BotServer {
  const log = deps.log.child({ component: 'server' });
  const routes = new Map<string, Map<string, RouteHandler>>();
  const inFlight = new Set<ServerResponse>();
  const servers: Server[] = [];
  let closing = false;
  let closed: Promise<void> | undefined;

  const mount = (method: string, path: string, handler: RouteHandler): void => {
    const byMethod = routes.get(path) ?? new Map<string, RouteHandler>();
    const verb = method.toUpperCase();
    if (byMethod.has(verb)) throw new Error(`Route ${verb} ${path} is mounted twice`);
    byMethod.set(verb, handler);
    routes.set(path, byMethod);
  };

  const fail = (error: unknown, req: IncomingMessage, res: ServerResponse, path: string): void => {
    if (error instanceof HttpError) {
      const headers: Record<string, string> = error.status === 413 ? { Connection: 'close' } : {};
      sendJson(res, error.status, { error: error.reason }, headers);
      return;
    }
    log.error({ err: error, method: req.method, route: path }, 'request handler failed');
    if (res.headersSent) res.destroy();
    else sendJson(res, 500, { error: 'internal' });
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      // While draining, a finished keep-alive connection must not hold the server open.
      if (closing)
        setImmediate(() => {
          for (const s of servers) s.closeIdleConnections();
        });
    });
    if (closing) res.setHeader('Connection', 'close');
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const byMethod = routes.get(path);
    // Mounted paths only, so a scan of random URLs cannot grow the label set.
    const route = byMethod ? path : 'other';
    res.once('finish', () => deps.metrics.httpResponsesTotal.inc({ route, status: String(res.statusCode) }));
    if (!byMethod) {
      sendJson(res, 404, { error: 'not_found' });
      return;
    }
    const method = req.method ?? 'GET';
    const handler = byMethod.get(method) ?? (method === 'HEAD' ? byMethod.get('GET') : undefined);
    if (!handler) {
      const allow = [...byMethod.keys()];
      if (byMethod.has('GET') && !byMethod.has('HEAD')) allow.push('HEAD');
      sendJson(res, 405, { error: 'method_not_allowed' }, { Allow: allow.join(', ') });
      return;
    }
    try {
      const result = handler(req, res);
      if (result instanceof Promise) result.catch((error: unknown) => fail(error, req, res, path));
    } catch (error) {
      fail(error, req, res, path);
    }
  };

  mount('GET', '/healthz', (_req, res) => sendJson(res, 200, { status: 'ok' }));

  mount('GET', '/readyz', async (_req, res) => {
    if (closing) return sendJson(res, 503, { status: 'unavailable', reason: 'shutting down' });
    let ready = false;
    let reason = 'not ready';
    try {
      const result = await withTimeout(deps.isReady(), deps.readyTimeoutMs ?? 2000);
      ready = typeof result === 'boolean' ? result : result.ready;
      if (typeof result === 'object' && result.reason) reason = result.reason;
    } catch (error) {
      reason =
        error instanceof Error && error.message === 'timed out'
          ? 'readiness check timed out'
          : 'readiness check failed';
      log.warn({ err: error }, reason);
    }
    if (ready) sendJson(res, 200, { status: 'ready' });
    else sendJson(res, 503, { status: 'unavailable', reason });
  });

  mount('GET', '/metrics', async (_req, res) => {
    const body = await deps.metrics.registry.metrics();
    res.statusCode = 200;
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.end(body);
  });

  const listen = async (): Promise<number> => {
    const primary = createHttpServer(handle);
    await listenOn(primary, deps.config.port, deps.config.host);
    servers.push(primary);
    const port = (primary.address() as AddressInfo).port;
    if (deps.config.host === '127.0.0.1') {
      // Clients that resolve `localhost` to ::1 (the Agents Playground may) should reach us too.
      const loopback6 = createHttpServer(handle);
      try {
        await listenOn(loopback6, port, '::1', true);
        servers.push(loopback6);
      } catch {
        loopback6.close();
      }
    }
    log.info({ host: deps.config.host, port, ipv6Loopback: servers.length > 1 }, 'server listening');
    return port;
  };

  const close = (timeoutMs = deps.closeTimeoutMs ?? 10_000): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closing = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      const listening = servers.filter((s) => s.listening);
      if (listening.length === 0) return resolve();
      let pending = listening.length;
      const timer = setTimeout(() => {
        log.warn({ inFlight: inFlight.size }, 'shutdown timeout: closing remaining connections');
        for (const s of listening) s.closeAllConnections();
      }, timeoutMs);
      for (const server of listening) {
        server.close(() => {
          pending -= 1;
          if (pending === 0) {
            clearTimeout(timer);
            log.info('server closed');
            resolve();
          }
        });
        server.closeIdleConnections();
      }
    });
    return closed;
  };

  return { mount, listen, close, handle };
}
