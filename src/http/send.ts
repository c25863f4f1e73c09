import type { ServerResponse } from 'node:http';
import type { HttpError, HttpHeaders } from './errors.js';

/** Send a small JSON answer (never cached), unless the response has started already. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: HttpHeaders = {}): void {
  if (res.headersSent) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.statusCode = status;
  if (text) res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-store');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(text);
}

/** Answer an HttpError as `{ "error": reason }` with its headers; when the answer has started, cut it off. */
export function sendHttpError(res: ServerResponse, error: HttpError): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  sendJson(res, error.status, { error: error.reason }, error.headers);
}
