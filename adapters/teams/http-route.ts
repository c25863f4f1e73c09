/**
 * POST /api/messages on the shared node:http server. We read and check the body ourselves (the core's readJson):
 * botbuilder expects a parsed body, and a body it cannot handle makes `process()` reject — unhandled, that kills
 * Node 20. Every failure here is a plain 4xx with a short reason; nothing of the body is logged.
 */
import type { ServerResponse } from 'node:http';

/** Answer with a small JSON error (plus headers such as Retry-After), unless an answer already started. */
export function sendError(
  res: ServerResponse,
  status: number,
  reason: string,
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const body = JSON.stringify({ error: reason });
  const headers: Record<string, string | number> = {
    ...extraHeaders,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  };
  // A too-large body is not read to the end: close the connection, so the client stops sending and nothing is left over.
  if (status === 413) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

/** Write the turn's result: 200 for ordinary activities, the invoke response's status and JSON body for invokes. */
export function sendBotResponse(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  if (body === undefined || body === null) {
    res.writeHead(status, { 'content-length': 0 }).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** As botbuilder's validateAndFixActivity: ISO timestamps become Dates, the raw strings are kept. */
export function withDates(activity: Record<string, unknown>): Record<string, unknown> {
  for (const [field, raw] of [
    ['timestamp', 'rawTimestamp'],
    ['expiration', 'rawExpiration'],
    ['localTimestamp', 'rawLocalTimestamp'],
  ] as const) {
    const value = activity[field];
    if (typeof value === 'string') {
      activity[raw] = value;
      activity[field] = new Date(value);
    }
  }
  return activity;
}
