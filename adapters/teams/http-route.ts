/**
 * POST /api/messages on the shared node:http server. We read and check the body ourselves: botbuilder expects a
 * parsed body, and a body it cannot handle makes `process()` reject — unhandled, that kills Node 20 (clients.md §1).
 * Every failure here is a plain 4xx with a short reason; nothing of the body is logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request body problem, answered with `status` and a reason that never echoes the body. */
export class BadRequest extends Error {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super(reason);
  }
}

/** Read a JSON object body of at most `maxBytes`. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const type = String(req.headers['content-type'] ?? '');
  if (type && !/^application\/(.+\+)?json\b/i.test(type)) throw new BadRequest(415, 'expected application/json');
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new BadRequest(413, `body larger than ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BadRequest(413, `body larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) throw new BadRequest(400, 'empty body');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
  } catch {
    throw new BadRequest(400, 'body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new BadRequest(400, 'body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** Answer with a small JSON error, unless an answer already started. */
export function sendError(res: ServerResponse, status: number, reason: string): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const body = JSON.stringify({ error: reason });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The response object botbuilder's `process()` expects (status/header/send/end), over node's ServerResponse. */
export function botResponse(res: ServerResponse): { socket: unknown; status(code: number): void; header(name: string, value: unknown): void; send(body?: unknown): void; end(): void } {
  let status = 200;
  let payload: string | undefined;
  return {
    socket: res.socket,
    status(code) {
      status = code;
    },
    header(name, value) {
      if (!res.headersSent) res.setHeader(name, String(value));
    },
    send(body) {
      if (body === undefined || body === null) return;
      if (typeof body === 'string') payload = body;
      else {
        payload = JSON.stringify(body);
        if (!res.headersSent) res.setHeader('content-type', 'application/json; charset=utf-8');
      }
    },
    end() {
      if (res.writableEnded) return;
      if (res.headersSent) {
        res.end();
        return;
      }
      res.statusCode = status;
      if (payload !== undefined) res.setHeader('content-length', Buffer.byteLength(payload));
      res.end(payload);
    },
  };
}
