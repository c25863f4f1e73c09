/**
 * Announcements: organisers compose them in the chat (or send them through the API), see a preview, send now or at
 * a time in their own time zone, cancel a scheduled one, and watch "x of y delivered" until the final report.
 * Delivery is the broadcaster's (src/delivery): this feature is its `announcement` kind.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { action, type Feature, privately, routeTo, type TurnContext } from '../../core/context.js';
import type { FeatureDeps } from '../../core/feature-deps.js';
import { loadPrefs } from '../../core/prefs.js';
import { tenantHash } from '../../core/tenant-settings.js';
import { textMessage } from '../../dialog/render.js';
import type { BroadcastKind } from '../../delivery/types.js';
import { DAY_MS } from '../../lib/time.js';
import type { Block } from '../../message/types.js';
import { organiserAudit } from '../organisers/audit.js';
import { topicName } from '../subscriptions/feature.js';
import { listTopics } from '../subscriptions/store.js';
import { announcementRoutes } from './api.js';
import { audiencePage } from './audience.js';
import { checkComposition, composeForm, type Draft, type Fields } from './compose.js';
import {
  ANNOUNCEMENT_KIND,
  ANNOUNCEMENTS_FEATURE,
  type Announcement,
  announcementKeys,
  createAnnouncementRepo,
  publicStatus,
} from './model.js';
import {
  announcementMessage,
  audienceSummary,
  formatWhen,
  progressMessage,
  type RenderDeps,
  statusLine,
} from './render.js';

const NoData = z.object({}).strict();
const IdData = z.object({ id: z.string().min(1).max(40) }).strict();
const DRAFT_TTL_MS = 7 * DAY_MS;

export function createAnnouncementsFeature(deps: FeatureDeps): Feature {
  const { store, config, broadcasts } = deps;
  const repo = createAnnouncementRepo(store, deps.sealer);
  const audit = organiserAudit(store, deps.now);
  const zoneOf = (ctx: TurnContext) => ctx.event.timeZone ?? config.timeZone;
  const renderOf = (ctx: TurnContext): RenderDeps => ({ t: ctx.t, locale: ctx.locale, timeZone: zoneOf(ctx) });
  const scopeOf = (ctx: TurnContext) => ({
    platform: ctx.event.platform,
    tenantId: ctx.event.user.tenantId,
    tenant: tenantHash(ctx.hash, ctx.event.platform, ctx.event.user.tenantId),
  });

  const kind: BroadcastKind = {
    async audience(broadcast, cursor) {
      const announcement = await repo.get(broadcast.id);
      if (!announcement) return { recipients: [] };
      return audiencePage({ store, addresses: deps.addresses, now: deps.now }, announcement, cursor);
    },
    async message(broadcast, recipient) {
      const announcement = await repo.get(broadcast.id);
      if (!announcement) throw new Error('announcement record missing');
      const person = recipient.address.kind === 'person' ? recipient.address.person : undefined;
      const locale = (person && (await loadPrefs(store, person))?.locale) || config.defaultLocale;
      const t = deps.translate(locale);
      return { ...announcementMessage(announcement, { t, locale, timeZone: config.timeZone }, recipient), locale };
    },
    async progress(broadcast, state) {
      const announcement = await repo.get(broadcast.id);
      const t = deps.translate(broadcast.locale);
      const r = { t, locale: broadcast.locale, timeZone: config.timeZone };
      if (!announcement) return textMessage(t('announcements.untitled'));
      return { ...progressMessage(announcement, state, r), locale: broadcast.locale };
    },
  };

  async function saveDraft(ctx: TurnContext, fields: Fields): Promise<void> {
    const key = announcementKeys.draft(ctx.person);
    await store.track(ctx.person, key);
    await store.set(key, { fields, updatedAt: ctx.now } satisfies Draft, DRAFT_TTL_MS);
  }
  const loadDraft = async (ctx: TurnContext) => (await store.get<Draft>(announcementKeys.draft(ctx.person)))?.fields;

  async function showForm(ctx: TurnContext, fields: Fields, error?: string, errorField?: string): Promise<void> {
    const form = await composeForm(ctx, fields, error ? ctx.t(error) : undefined, errorField);
    await ctx.io.send(
      { text: error ? ctx.t(error) : ctx.t('announcements.form.heading'), blocks: [form] },
      privately(ctx),
    );
  }

  async function submit(ctx: TurnContext, fields: Fields): Promise<void> {
    // Kept first, whatever is wrong with it: nothing typed is ever lost.
    await saveDraft(ctx, fields);
    const checked = checkComposition(fields, { now: ctx.now, timeZone: zoneOf(ctx), platform: ctx.event.platform });
    if ('error' in checked) return showForm(ctx, fields, checked.error, checked.field);
    const composed = checked.ok;
    const r = renderOf(ctx);
    const topics = await listTopics(store);
    const preview = {
      ...composed,
      id: '',
      sendAt: composed.sendAt ?? ctx.now,
      createdBy: ctx.person,
      locale: ctx.locale,
      createdAt: ctx.now,
      scope: scopeOf(ctx),
    };
    const summary = audienceSummary(preview, r, (id) =>
      topicName(
        ctx,
        topics.find((t) => t.id === id),
        id,
      ),
    );
    const when = composed.sendAt
      ? ctx.t('announcements.preview.at', { when: formatWhen(r, composed.sendAt) })
      : ctx.t('announcements.preview.now');
    const blocks: Block[] = [
      { type: 'heading', text: ctx.t('announcements.preview.title') },
      { type: 'divider' },
      ...announcementMessage(composed, r).blocks,
      { type: 'divider' },
      { type: 'text', text: [...summary, when].join('\n') },
      {
        type: 'buttons',
        buttons: [
          {
            label: ctx.t(composed.sendAt ? 'announcements.preview.schedule' : 'announcements.preview.send'),
            route: routeTo(ANNOUNCEMENTS_FEATURE, 'confirm'),
            style: 'primary',
          },
          { label: ctx.t('announcements.preview.edit'), route: routeTo(ANNOUNCEMENTS_FEATURE, 'edit') },
          {
            label: ctx.t('announcements.preview.discard'),
            route: routeTo(ANNOUNCEMENTS_FEATURE, 'discard'),
            style: 'danger',
          },
        ],
      },
    ];
    await ctx.io.send({ text: ctx.t('announcements.preview.title'), blocks }, privately(ctx));
  }

  async function confirm(ctx: TurnContext): Promise<void> {
    const fields = await loadDraft(ctx);
    if (!fields) {
      await ctx.io.send(textMessage(ctx.t('announcements.errors.noDraft'), 'muted'), privately(ctx));
      return;
    }
    const checked = checkComposition(fields, { now: ctx.now, timeZone: zoneOf(ctx), platform: ctx.event.platform });
    if ('error' in checked) return showForm(ctx, fields, checked.error, checked.field);
    const id = randomBytes(9).toString('base64url');
    const sendAt = checked.ok.sendAt ?? ctx.now;
    const announcement: Announcement = {
      ...checked.ok,
      id,
      sendAt,
      createdBy: ctx.person,
      scope: scopeOf(ctx),
      locale: ctx.locale,
      createdAt: ctx.now,
    };
    await repo.save(announcement);
    const r = renderOf(ctx);
    const first = checked.ok.sendAt
      ? textMessage(ctx.t('announcements.scheduled', { when: formatWhen(r, sendAt) }))
      : textMessage(ctx.t('announcements.starting'));
    // This message becomes the progress message and, at the end, the report (updated in place).
    const progress = await ctx.io.send(first, { direct: true });
    await broadcasts.create({
      id,
      kind: ANNOUNCEMENT_KIND,
      sendAt,
      createdBy: ctx.person,
      locale: ctx.locale,
      ...(progress ? { progress } : {}),
    });
    await store.delete(announcementKeys.draft(ctx.person));
    await audit.chat(ctx, 'announcement.created', id);
    await ctx.io.update(textMessage(ctx.t('announcements.preview.confirmed')));
  }

  async function list(ctx: TurnContext): Promise<void> {
    const tenant = scopeOf(ctx).tenant;
    const total = await store.indexCount(announcementKeys.byTime);
    const page = await store.indexRange(announcementKeys.byTime, { limit: 1000 });
    const r = renderOf(ctx);
    const blocks: Block[] = [{ type: 'heading', text: ctx.t('announcements.list.title') }];
    let shown = 0;
    for (const { member: id } of [...page.entries].reverse()) {
      const [announcement, broadcast] = await Promise.all([repo.get(id), broadcasts.get(id)]);
      if (!announcement || !broadcast || announcement.scope?.tenant !== tenant) continue;
      const status = publicStatus(broadcast.status);
      blocks.push({ type: 'text', text: statusLine(announcement, status, await broadcasts.counts(id), r) });
      if (status === 'scheduled')
        blocks.push({
          type: 'buttons',
          buttons: [
            {
              label: ctx.t('announcements.list.cancel'),
              route: routeTo(ANNOUNCEMENTS_FEATURE, 'cancel', { id }),
              style: 'danger',
            },
          ],
        });
      if (++shown >= 10) break;
    }
    if (shown === 0) blocks.push({ type: 'text', text: ctx.t('announcements.list.empty') });
    blocks.push({
      type: 'text',
      text: ctx.t('announcements.list.retention', { days: config.delivery.retentionDays, total }),
      tone: 'muted',
    });
    await ctx.io.send({ text: ctx.t('announcements.list.title'), blocks }, privately(ctx));
  }

  async function cancel(ctx: TurnContext, data: { id: string }): Promise<void> {
    const announcement = await repo.get(data.id);
    const result = announcement?.scope?.tenant === scopeOf(ctx).tenant ? await broadcasts.cancel(data.id) : 'not-found';
    if (result === 'cancelled') await audit.chat(ctx, 'announcement.cancelled', data.id);
    await ctx.io.update(
      textMessage(
        ctx.t(
          `announcements.cancel.${result === 'too-late' ? 'tooLate' : result === 'cancelled' ? 'done' : 'notFound'}`,
        ),
      ),
    );
  }

  const organiser = 'organiser' as const;
  const fieldsOf = (input: { fields?: Fields }) => input.fields ?? {};
  return {
    id: ANNOUNCEMENTS_FEATURE,
    commands: {
      announce: {
        words: ['aankondiging', 'nieuwe aankondiging', 'announce', 'new announcement'],
        audience: organiser,
        run: async (ctx) => showForm(ctx, (await loadDraft(ctx)) ?? {}),
      },
      announcements: { words: ['aankondigingen', 'announcements'], audience: organiser, run: list },
    },
    actions: {
      submit: action(NoData, (ctx, _d, input) => submit(ctx, fieldsOf(input)), organiser),
      confirm: action(NoData, confirm, organiser),
      edit: action(NoData, async (ctx) => showForm(ctx, (await loadDraft(ctx)) ?? {}), organiser),
      discard: action(
        NoData,
        async (ctx) => {
          await store.delete(announcementKeys.draft(ctx.person));
          await ctx.io.update(textMessage(ctx.t('announcements.preview.discarded')));
        },
        organiser,
      ),
      cancel: action(IdData, cancel, organiser),
    },
    routes: announcementRoutes(deps, repo),
    broadcastKinds: { [ANNOUNCEMENT_KIND]: kind },
    personData: {
      async describe(ctx) {
        return (await loadDraft(ctx)) ? [ctx.t('announcements.myData')] : [];
      },
    },
  };
}
