/**
 * The organiser API for integrations (docs/openapi.yaml): create, read and cancel announcements. Bearer
 * ORGANISER_API_TOKEN on every call (without it every call is 401); bodies checked by zod, a bad one is a 400 naming
 * the field. Announcements made here reach every workspace and tenant the audience names.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { FeatureDeps } from '../../core/feature-deps.js';
import { HttpError } from '../../http/errors.js';
import { bearerAuth, jsonRoute } from '../../http/json-api.js';
import type { RouteSpec } from '../../http/router.js';
import { organiserAudit } from '../organisers/audit.js';
import { sessionKeys } from '../sessions/keys.js';
import { topicExists } from '../subscriptions/store.js';
import { MAX_TEXT, MAX_TITLE } from './compose.js';
import { ANNOUNCEMENT_KIND, type Announcement, type AnnouncementRepo, publicStatus } from './model.js';

const channelIds = z.array(z.string().regex(/^[A-Za-z0-9:@;._\-/=]{1,300}$/, 'must be channel ids')).max(500);

/** The body of POST /api/announcements. */
export function announcementSchema(now: () => number) {
  return z
    .object({
      title: z.string().trim().min(1).max(MAX_TITLE).optional(),
      text: z.string().trim().min(1, 'must not be empty').max(MAX_TEXT),
      audience: z
        .object({
          slackChannels: channelIds.optional(),
          teamsChannels: channelIds.optional(),
          subscribers: z
            .object({
              platform: z.enum(['slack', 'teams', 'all']).optional(),
              topic: z.string().min(1).max(40).optional(),
            })
            .strict()
            .optional(),
        })
        .strict()
        .refine(
          (a) => (a.slackChannels?.length ?? 0) + (a.teamsChannels?.length ?? 0) > 0 || a.subscribers !== undefined,
          'must name at least one of slackChannels, teamsChannels, subscribers',
        ),
      sendAt: z.iso
        .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone' })
        .refine((v) => Date.parse(v) >= now() - 60_000, 'must not be in the past')
        .optional(),
      sessionId: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be a session id')
        .optional(),
    })
    .strict();
}

export function announcementRoutes(deps: FeatureDeps, repo: AnnouncementRepo): RouteSpec[] {
  const auth = bearerAuth(deps.config.organiserApiToken);
  const audit = organiserAudit(deps.store, deps.now);

  async function status(id: string) {
    const broadcast = await deps.broadcasts.get(id);
    if (!broadcast || broadcast.kind !== ANNOUNCEMENT_KIND) throw new HttpError(404, 'not_found');
    const counts = await deps.broadcasts.counts(id);
    return { id, status: publicStatus(broadcast.status), ...counts };
  }

  return [
    jsonRoute({
      method: 'POST',
      path: '/api/announcements',
      bodyLimit: 64 * 1024,
      auth,
      input: announcementSchema(deps.now),
      async handler({ body }) {
        const topic = body.audience.subscribers?.topic;
        if (topic && !(await topicExists(deps.store, topic)))
          throw new HttpError(400, 'audience.subscribers.topic: no such topic');
        if (body.sessionId && (await deps.store.getVersioned(sessionKeys.session(body.sessionId))).version === 0)
          throw new HttpError(400, 'sessionId: no such session');
        const id = randomBytes(9).toString('base64url');
        const sendAt = body.sendAt ? Math.max(Date.parse(body.sendAt), deps.now()) : deps.now();
        const announcement: Announcement = {
          id,
          text: body.text,
          audience: {
            ...(body.audience.slackChannels ? { slackChannels: body.audience.slackChannels } : {}),
            ...(body.audience.teamsChannels ? { teamsChannels: body.audience.teamsChannels } : {}),
            ...(body.audience.subscribers ? { subscribers: body.audience.subscribers } : {}),
          },
          sendAt,
          createdBy: 'api',
          locale: deps.config.defaultLocale,
          createdAt: deps.now(),
          ...(body.title ? { title: body.title } : {}),
          ...(body.sessionId ? { sessionId: body.sessionId } : {}),
        };
        await repo.save(announcement);
        const broadcast = await deps.broadcasts.create({
          id,
          kind: ANNOUNCEMENT_KIND,
          sendAt,
          createdBy: 'api',
          locale: announcement.locale,
        });
        await audit.api('announcement.created', id);
        return {
          status: 201,
          body: { id, status: publicStatus(broadcast.status) },
          headers: { Location: `/api/announcements/${id}` },
        };
      },
    }),
    jsonRoute({
      method: 'GET',
      path: '/api/announcements/:id',
      bodyLimit: 0,
      auth,
      handler: async ({ params }) => ({ status: 200, body: await status(params.id ?? '') }),
    }),
    jsonRoute({
      method: 'DELETE',
      path: '/api/announcements/:id',
      bodyLimit: 0,
      auth,
      async handler({ params }) {
        const id = params.id ?? '';
        const broadcast = await deps.broadcasts.get(id);
        if (!broadcast || broadcast.kind !== ANNOUNCEMENT_KIND) throw new HttpError(404, 'not_found');
        const result = await deps.broadcasts.cancel(id);
        if (result === 'too-late') throw new HttpError(409, 'not_scheduled');
        if (result === 'not-found') throw new HttpError(404, 'not_found');
        await audit.api('announcement.cancelled', id);
        return { status: 200, body: await status(id) };
      },
    }),
  ];
}
