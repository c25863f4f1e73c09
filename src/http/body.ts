import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { HttpError, payloadTooLarge } from './errors.js';

/** JSON bodies: application/json or any application/…+json type (Bot Framework activities, problem details). */
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * Read the raw request body (signature checks need the exact bytes). Refused with 413 when the declared length
 * is over `limitBytes` (before reading anything) or when the stream passes it; 400 when the client aborts.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limitBytes) return Promise.reject(payloadTooLarge());
  if (req.readableEnded) return Promise.reject(new Error('request body already read'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error) reject(error);
      // One chunk is the common case for small bodies: hand it on without a copy.
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) {
        // Stop collecting; Node discards the rest, and the 413 closes the connection.
        chunks.length = 0;
        settle(payloadTooLarge());
      } else chunks.push(chunk);
    };
    const onEnd = (): void => settle(undefined);
    const onError = (error: Error): void => settle(new HttpError(400, 'request_aborted', { cause: error }));
    const onClose = (): void => {
      if (!req.complete) settle(new HttpError(400, 'request_aborted'));
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/**
 * Read a JSON body of at most `limitBytes`: 415 for a content type that is not JSON, 400 for an empty body or
 * broken JSON, and with `schema` a 400 whose reason names the first bad field (`audience.slackChannels: expected
 * array`) and never the value sent. Resolves with the schema's output (or the parsed JSON without one).
 */
export async function readJson<S extends z.ZodType = z.ZodType<unknown>>(
  req: IncomingMessage,
  limitBytes: number,
  schema?: S,
): Promise<z.output<S>> {
  if (!JSON_TYPE.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'unsupported_content_type');
  const raw = await readBody(req, limitBytes);
  if (raw.length === 0) throw new HttpError(400, 'empty_body');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, 'malformed_json', { cause: error });
  }
  return schema ? validate(schema, parsed) : (parsed as z.output<S>);
}

/** Check `value` against `schema`; a 400 naming the first bad field path and what was expected there. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value, { error: briefMessage, reportInput: false });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // Bounded: record keys in the path come from the client.
  throw new HttpError(400, issue ? `${fieldPath(issue.path)}: ${issue.message}`.slice(0, 200) : 'invalid_body');
}

/**
 * Zod's own messages, shortened where they are long ("expected array" rather than "Invalid input: expected array,
 * received string"). A schema's own messages take precedence over this; neither ever contains the input.
 */
function briefMessage(issue: { code?: string; expected?: unknown }): string | undefined {
  if (issue.code === 'invalid_type') return `expected ${String(issue.expected)}`;
  return undefined;
}

/** `audience.slackChannels[2]`; the body itself is `body`. */
function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || 'body';
}
