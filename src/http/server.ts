import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import { createRouter, type HttpRoutes, type RouteSpec, UNMATCHED } from './router.js';
import { sendJson } from './send.js';

/** Resolves true (or `{ ready: true }`) when the bot can serve traffic, e.g. the store answers. */
export type ReadinessCheck = () => Promise<boolean | { ready: boolean; reason?: string }>;

/** Where to listen and the limits; every time limit is set here instead of taking Node's defaults. */
export interface HttpServerConfig {
  host: string;
  port: number;
  /** Whole request (headers and body) must arrive within this; else 408 and the connection is closed. */
  requestTimeoutMs?: number;
  /** The headers must arrive within this (at most requestTimeoutMs). */
  headersTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs?: number;
  /** Connections open at once, per listening address; more are refused at accept. */
  maxConnections?: number;
  /** Requests served on one connection before it is closed (spreads load behind a balancer). */
  maxRequestsPerSocket?: number;
  /** How long /readyz waits for the readiness check. */
  readyTimeoutMs?: number;
  /** How long `close()` lets requests in flight finish before cutting them off. */
  closeTimeoutMs?: number;
}

export interface HttpServerDeps {
  log: Logger;
  metrics: Metrics;
  isReady: ReadinessCheck;
}

/** What `close()` left unfinished: requests still in flight when the bound ran out, cut off. */
export interface CloseReport {
  abandoned: number;
}

/** The one HTTP server: /healthz, /readyz and /metrics built in; adapters and features register their routes. */
export interface HttpServer extends HttpRoutes {
  /** Bind host/port (plus ::1 beside 127.0.0.1); resolves with the bound port. */
  listen(): Promise<number>;
  /** Stop accepting, let requests in flight finish (up to the bound), cut off the rest; says what it cut off. */
  close(timeoutMs?: number): Promise<CloseReport>;
  /** The request listener itself (dispatch, metrics, shutdown bookkeeping). */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** Every registered route as `METHOD pattern`. */
  routes(): string[];
}

export const HTTP_DEFAULTS = {
  requestTimeoutMs: 15_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1024,
  maxRequestsPerSocket: 1000,
  readyTimeoutMs: 2_000,
  closeTimeoutMs: 10_000,
} as const satisfies Required<Omit<HttpServerConfig, 'host' | 'port'>>;

/** Build the server; nothing is bound until `listen()`. */
export function createHttpServer(config: HttpServerConfig, deps: HttpServerDeps): HttpServer {
  const limits = { ...HTTP_DEFAULTS, ...definedOnly(config) };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs)
    throw new Error('headersTimeoutMs must not be longer than requestTimeoutMs');
  const log = deps.log.child({ component: 'http' });
  const router = createRouter({ log });
  const inFlight = new Set<ServerResponse>();
  const servers: Server[] = [];
  let closing = false;
  let closed: Promise<CloseReport> | undefined;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      // While draining, a finished keep-alive connection must not hold the server open.
      if (closing) setImmediate(closeIdle);
    });
    if (closing) res.setHeader('Connection', 'close');
    // By matched pattern (never the raw URL), so the label set stays bounded.
    let route = UNMATCHED;
    res.once('finish', () => deps.metrics.httpResponsesTotal.inc({ route, status: String(res.statusCode) }));
    route = router.dispatch(req, res);
  };

  const closeIdle = (): void => {
    for (const server of servers) server.closeIdleConnections();
  };

  router.route({
    method: 'GET',
    path: '/healthz',
    bodyLimit: 0,
    handler: (_req, res) => sendJson(res, 200, { status: 'ok' }),
  });
  router.route({
    method: 'GET',
    path: '/readyz',
    bodyLimit: 0,
    handler: async (_req, res) => {
      const { ready, reason } = closing ? { ready: false, reason: 'shutting down' } : await readiness();
      if (ready) sendJson(res, 200, { status: 'ready' });
      else sendJson(res, 503, { status: 'unavailable', reason });
    },
  });
  router.route({
    method: 'GET',
    path: '/metrics',
    bodyLimit: 0,
    handler: async (_req, res) => {
      const body = await deps.metrics.registry.metrics();
      res.writeHead(200, { 'Content-Type': deps.metrics.registry.contentType, 'Cache-Control': 'no-store' });
      res.end(body);
    },
  });

  const readiness = async (): Promise<{ ready: boolean; reason: string }> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), limits.readyTimeoutMs);
    });
    try {
      const result = await Promise.race([deps.isReady(), timeout]);
      if (result === 'timeout') {
        log.warn('readiness check timed out');
        return { ready: false, reason: 'readiness check timed out' };
      }
      if (typeof result === 'boolean') return { ready: result, reason: 'not ready' };
      return { ready: result.ready, reason: result.reason ?? 'not ready' };
    } catch (error) {
      // The error may hold a connection string: its class only.
      log.warn({ errName: error instanceof Error ? error.name : typeof error }, 'readiness check failed');
      return { ready: false, reason: 'readiness check failed' };
    } finally {
      clearTimeout(timer);
    }
  };

  const build = (): Server => {
    const server = createServer(
      {
        requestTimeout: limits.requestTimeoutMs,
        headersTimeout: limits.headersTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        // Node checks the two timeouts above only this often (30 s by default): check often enough to honour them.
        connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
      },
      handle,
    );
    server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
    server.maxConnections = limits.maxConnections;
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
      const status = answerClientError(error, socket);
      if (status) deps.metrics.httpResponsesTotal.inc({ route: UNMATCHED, status: String(status) });
    });
    server.on('drop', onDrop);
    return server;
  };

  // At the cap Node refuses the connection at accept; say so at most once a minute, with how many.
  let dropped = 0;
  let droppedLoggedAt = 0;
  const onDrop = (): void => {
    dropped += 1;
    const now = Date.now();
    if (now - droppedLoggedAt < 60_000) return;
    log.warn({ dropped, maxConnections: limits.maxConnections }, 'connections refused: at the cap');
    droppedLoggedAt = now;
    dropped = 0;
  };

  const listen = async (): Promise<number> => {
    const primary = build();
    await listenOn(primary, config.port, config.host);
    servers.push(primary);
    const port = (primary.address() as AddressInfo).port;
    if (config.host === '127.0.0.1') {
      // Clients that resolve `localhost` to ::1 (the Agents Playground may) should reach us too.
      const loopback6 = build();
      try {
        await listenOn(loopback6, port, '::1', true);
        servers.push(loopback6);
      } catch {
        loopback6.close();
      }
    }
    log.info({ host: config.host, port, ipv6Loopback: servers.length > 1 }, 'server listening');
    return port;
  };

  const close = (timeoutMs: number = limits.closeTimeoutMs): Promise<CloseReport> => {
    closed ??= new Promise<CloseReport>((resolve) => {
      closing = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      const listening = servers.filter((s) => s.listening);
      if (listening.length === 0) return resolve({ abandoned: 0 });
      let abandoned = 0;
      let pending = listening.length;
      const timer = setTimeout(() => {
        abandoned = inFlight.size;
        log.warn({ abandoned }, 'shutdown bound reached: cutting off requests in flight');
        for (const s of listening) s.closeAllConnections();
      }, timeoutMs);
      for (const server of listening) {
        server.close(() => {
          pending -= 1;
          if (pending > 0) return;
          clearTimeout(timer);
          log.info({ abandoned }, 'server closed');
          resolve({ abandoned });
        });
      }
      closeIdle();
    });
    return closed;
  };

  return {
    route: (spec: RouteSpec) => router.route(spec),
    listen,
    close,
    handle,
    routes: router.list,
  };
}

/**
 * A request Node's parser refused, or one that ran out of time: answer like Node does (408 for a timeout, 431 for
 * headers too large, else 400), as JSON, unless an answer has started; then close. Returns the status sent.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): number | undefined {
  const started = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage?.headersSent === true;
  let answered: number | undefined;
  if (error.code !== 'ECONNRESET' && socket.writable && !started) {
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const reason = status === 408 ? 'request_timeout' : status === 431 ? 'headers_too_large' : 'bad_request';
    const body = JSON.stringify({ error: reason });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    answered = status;
  }
  socket.destroy();
  return answered;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

function listenOn(server: Server, port: number, host: string, ipv6Only = false): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, ipv6Only }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
