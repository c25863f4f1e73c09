/**
 * The calendar entry of a session (RFC 5545, made by the `ics` package): a stable UID per session, so an update
 * replaces the entry; SEQUENCE counts the changes; times in UTC, which every calendar shows in its own zone. Where a
 * platform has no file upload, it is offered as a short-lived link at PUBLIC_URL: the session id, an expiry and an
 * HMAC of both (the pseudonym key), never anything about the person. The terminal gets a file, its path printed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createEvent, type EventAttributes } from 'ics';
import type { KeyedHash } from '../../crypto/pseudonym.js';
import { HttpError } from '../../http/errors.js';
import type { RouteSpec } from '../../http/router.js';
import { linkQuery, type SignedLinks, signedLinks } from '../../http/signed-link.js';
import type { Session, SessionRepo } from './model.js';

/** The text of the .ics file. */
export function sessionIcs(session: Session, describe: (session: Session) => string): string {
  const cancelled = session.status === 'cancelled';
  const attributes: EventAttributes & { timestamp: number } = {
    uid: `${session.id}@bubbelbreker`,
    sequence: session.sequence,
    productId: 'bubbelbreker/sessions',
    method: cancelled ? 'CANCEL' : 'PUBLISH',
    status: cancelled ? 'CANCELLED' : 'CONFIRMED',
    start: session.startsAt,
    startInputType: 'utc',
    startOutputType: 'utc',
    duration: { minutes: session.durationMinutes },
    title: session.title,
    description: describe(session),
    // The stamp is the last change, so the same session always gives the same file.
    timestamp: session.updatedAt,
    ...(session.place ? { location: session.place } : {}),
    ...(session.url ? { url: session.url } : {}),
  };
  const { error, value } = createEvent(attributes);
  if (error || !value) throw new Error('the calendar entry could not be made');
  return value;
}

/** Signed, expiring links to a session's calendar entry (the shared link signing of src/http/signed-link.ts). */
export function calendarLinks(hash: KeyedHash, publicUrl: string | undefined, lifetimeMs: () => number): SignedLinks {
  return signedLinks({
    hash,
    publicUrl,
    purpose: 'calendar',
    path: (id) => `/calendar/${encodeURIComponent(id)}.ics`,
    lifetimeMs,
  });
}

export type CalendarLinks = ReturnType<typeof calendarLinks>;

/** GET /calendar/<id>.ics?e=…&s=…: the entry, for a link that is signed and not expired; else 404 or 410. */
export function calendarRoute(
  links: CalendarLinks,
  sessions: SessionRepo,
  describe: (session: Session) => string,
  now: () => number,
): RouteSpec {
  return {
    method: 'GET',
    path: '/calendar/:file',
    bodyLimit: 0,
    async handler(req, res, params) {
      const match = /^([A-Za-z0-9_-]{1,64})\.ics$/.exec(params.file ?? '');
      const { expires, signature } = linkQuery(req.url);
      const id = match?.[1];
      const verdict = id ? links.check(id, expires, signature, now()) : 'bad';
      if (verdict === 'expired') throw new HttpError(410, 'link_expired');
      const session = id && verdict === 'ok' ? await sessions.get(id) : undefined;
      if (!session) throw new HttpError(404, 'not_found');
      const body = Buffer.from(sessionIcs(session, describe), 'utf8');
      res.writeHead(200, {
        'Content-Type': 'text/calendar; charset=utf-8',
        'Content-Disposition': `attachment; filename="masterclass-${session.id}.ics"`,
        'Content-Length': body.length,
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}

/** The terminal: write the entry beside the database and return its path (the same file is replaced on updates). */
export function writeCalendarFile(databasePath: string, session: Session, text: string): string {
  const folder = resolve(join(dirname(databasePath), 'calendar'));
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `masterclass-${session.id}.ics`);
  writeFileSync(path, text, 'utf8');
  return path;
}
