/**
 * The organiser API for sessions (docs/openapi.yaml): create, read, change and cancel a session, list its
 * participants (references, never who), and mark attendance after the end. Bearer ORGANISER_API_TOKEN; bodies
 * checked by zod, then by the session rules; a bad one is a 400 naming the field.
 */
import { z } from 'zod';
import type { FeatureDeps } from '../../core/feature-deps.js';
import { HttpError } from '../../http/errors.js';
import { bearerAuth, jsonRoute } from '../../http/json-api.js';
import type { RouteSpec } from '../../http/router.js';
import { organiserAudit } from '../organisers/audit.js';
import { MAX_PLACE, MAX_TITLE, PROBLEM_TEXT, type Session, type SessionInput, type SessionProblem } from './model.js';
import type { SessionService } from './service.js';

const moment = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone' });

/** The body of POST (all required fields) and PATCH (every field optional). */
const fields = {
  title: z.string().max(MAX_TITLE),
  startsAt: moment,
  seats: z.number().int('must be a whole number'),
  durationMinutes: z.number().int('must be a whole number'),
  place: z.string().max(MAX_PLACE),
  url: z.string().max(500),
  module: z.string().max(40),
  registrationDeadline: moment,
};
const NewSession = z
  .object({ ...fields, seats: fields.seats.optional() })
  .partial({ place: true, url: true, module: true, registrationDeadline: true, durationMinutes: true })
  .strict();
const SessionPatch = z.object(fields).partial().strict();
const Attendance = z
  .object({
    absent: z.array(z.string().max(20)).max(500).optional(),
    present: z.array(z.string().max(20)).max(500).optional(),
  })
  .strict();

const toInput = (body: z.infer<typeof SessionPatch>): SessionInput => {
  const input: SessionInput = {};
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined) continue;
    (input as Record<string, unknown>)[key] =
      key === 'startsAt' || key === 'registrationDeadline' ? Date.parse(value as string) : value;
  }
  return input;
};
const refuse = (problem: SessionProblem): never => {
  throw new HttpError(400, `${problem.field}: ${PROBLEM_TEXT[problem.reason]}`);
};

export function sessionRoutes(deps: FeatureDeps, service: SessionService): RouteSpec[] {
  const auth = bearerAuth(deps.config.organiserApiToken);
  const audit = organiserAudit(deps.store, deps.now);
  const iso = (at: number) => new Date(at).toISOString();

  async function view(session: Session) {
    const counts = await service.counts(session.id);
    return {
      id: session.id,
      title: session.title,
      status: session.status,
      startsAt: iso(session.startsAt),
      durationMinutes: session.durationMinutes,
      registrationDeadline: iso(session.registrationDeadline),
      seats: session.seats,
      seated: counts.seated,
      offered: counts.offered,
      waiting: counts.waiting,
      ...(session.module ? { module: session.module } : {}),
      ...(session.place ? { place: session.place } : {}),
      ...(session.url ? { url: session.url } : {}),
    };
  }
  const found = async (id: string | undefined) => {
    const session = id ? await service.repo.get(id) : undefined;
    if (!session) throw new HttpError(404, 'not_found');
    return session;
  };

  return [
    jsonRoute({
      method: 'POST',
      path: '/api/sessions',
      bodyLimit: 16 * 1024,
      auth,
      input: NewSession,
      async handler({ body }) {
        const result = await service.create(toInput(body), { createdBy: 'api', locale: deps.config.defaultLocale });
        if ('error' in result) return refuse(result.error);
        await audit.api('session.created', result.session.id);
        return {
          status: 201,
          body: { id: result.session.id },
          headers: { Location: `/api/sessions/${result.session.id}` },
        };
      },
    }),
    jsonRoute({
      method: 'GET',
      path: '/api/sessions/:id',
      bodyLimit: 0,
      auth,
      handler: async ({ params }) => ({ status: 200, body: await view(await found(params.id)) }),
    }),
    jsonRoute({
      method: 'PATCH',
      path: '/api/sessions/:id',
      bodyLimit: 16 * 1024,
      auth,
      input: SessionPatch,
      async handler({ params, body }) {
        const result = await service.update(params.id ?? '', toInput(body));
        if (result === 'notFound') throw new HttpError(404, 'not_found');
        if (result === 'cancelled') throw new HttpError(409, 'cancelled');
        if ('error' in result) return refuse(result.error);
        await audit.api('session.changed', result.session.id);
        return { status: 200, body: await view(result.session) };
      },
    }),
    jsonRoute({
      method: 'DELETE',
      path: '/api/sessions/:id',
      bodyLimit: 0,
      auth,
      async handler({ params }) {
        const before = await found(params.id);
        const session = await service.cancel(before.id);
        if (!session) throw new HttpError(404, 'not_found');
        if (before.status !== 'cancelled') await audit.api('session.cancelled', session.id);
        return { status: 200, body: await view(session) };
      },
    }),
    jsonRoute({
      method: 'GET',
      path: '/api/sessions/:id/participants',
      bodyLimit: 0,
      auth,
      async handler({ params }) {
        const session = await found(params.id);
        const list = await service.participants(session.id);
        return {
          status: 200,
          body: {
            id: session.id,
            seated: list.seated.map(({ since, ...p }) => ({ ...p, since: iso(since) })),
            offered: list.offered.map((p) => ({ ref: p.ref, until: iso(p.until) })),
            waiting: list.waiting.map(({ since, ...p }) => ({ ...p, since: iso(since) })),
          },
        };
      },
    }),
    jsonRoute({
      method: 'POST',
      path: '/api/sessions/:id/attendance',
      bodyLimit: 32 * 1024,
      auth,
      input: Attendance,
      async handler({ params, body }) {
        const session = await found(params.id);
        if (!session.closedAt) throw new HttpError(409, 'not_ended');
        const marks = [
          ...(body.absent ?? []).map((ref) => [ref, false] as const),
          ...(body.present ?? []).map((ref) => [ref, true] as const),
        ];
        for (const [ref, attended] of marks)
          if ((await service.mark(session.id, ref, attended)) === 'notFound')
            throw new HttpError(400, `${attended ? 'present' : 'absent'}: unknown participant`);
        if (marks.length > 0) await audit.api('attendance.marked', session.id);
        const list = await service.participants(session.id);
        return {
          status: 200,
          body: {
            id: session.id,
            attended: list.seated.filter((p) => p.attended === true).length,
            absent: list.seated.filter((p) => p.attended === false).length,
          },
        };
      },
    }),
  ];
}
