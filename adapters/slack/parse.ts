/**
 * Raw request bytes → a JSON object, as Slack sends them: JSON for the Events API, form-encoded for slash
 * commands, and form-encoded with a JSON `payload` field for interactivity. What the object holds is checked next,
 * by shape (payloads.ts, through inbound.ts).
 */
export type ParsedBody = { ok: true; body: Record<string, unknown> } | { ok: false; status: 400 | 415; reason: string };

export function parseBody(raw: Buffer, contentType: string | undefined): ParsedBody {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return asObject(tryJson(raw.toString('utf8')));
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(raw.toString('utf8'));
    const payload = form.get('payload');
    if (payload !== null) return asObject(tryJson(payload));
    const fields: Record<string, unknown> = {};
    for (const [key, value] of form) fields[key] = value;
    return { ok: true, body: fields };
  }
  return { ok: false, status: 415, reason: 'unsupported_content_type' };
}

const INVALID = Symbol('invalid');

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return INVALID;
  }
}

function asObject(value: unknown): ParsedBody {
  if (value === INVALID) return { ok: false, status: 400, reason: 'malformed_json' };
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, status: 400, reason: 'body_not_an_object' };
  return { ok: true, body: value as Record<string, unknown> };
}
