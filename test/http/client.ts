/**
 * Small loopback clients for the HTTP layer's tests: node:http (so paths go out exactly as written, dot segments
 * and all) and raw sockets (to send headers or bodies slowly).
 */
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import {
  createHttpServer,
  type HttpServer,
  type HttpServerConfig,
  type ReadinessCheck,
} from '../../src/http/server.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import { captureLogger, type CapturedLogger } from '../support/capture-logger.js';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface CallOptions {
  body?: string | Buffer;
  headers?: Record<string, string | number>;
  /** Send the headers only and hold the body back (the answer must come without it). */
  holdBody?: boolean;
}

/** One request on its own connection; resolves with the answer, rejects on a connection error. */
export function call(port: number, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (options.holdBody) req.destroy();
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.holdBody) req.flushHeaders();
    else req.end(options.body);
  });
}

/** The JSON body of a reply. */
export const json = (reply: Reply): unknown => JSON.parse(reply.body);

/** A raw connection to the server; `received` collects what came back, `closed` resolves when it ends. */
export async function rawSocket(
  port: number,
): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => text, closed };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Started {
  server: HttpServer;
  port: number;
  cap: CapturedLogger;
  metrics: Metrics;
}

const running: HttpServer[] = [];

/** Start a server on 127.0.0.1 with `routes` registered; `stopAll()` in afterEach closes them all. */
export async function startServer(
  register: (server: HttpServer) => void = () => undefined,
  options: { config?: Partial<HttpServerConfig>; isReady?: ReadinessCheck; defaultMetrics?: boolean } = {},
): Promise<Started> {
  const cap = captureLogger();
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? false });
  const server = createHttpServer(
    { host: '127.0.0.1', port: 0, ...options.config },
    { log: cap.log, metrics, isReady: options.isReady ?? (async () => true) },
  );
  running.push(server);
  register(server);
  const port = await server.listen();
  return { server, port, cap, metrics };
}

export async function stopAll(): Promise<void> {
  await Promise.all(running.splice(0).map((s) => s.close(1000)));
}
