/**
 * Check-in nudges: "herinner mij" lets a person invite themselves to a check-in every week, two weeks or month
 * (and pause or stop it); organisers set one for a channel (typed in that channel) or for a topic's subscribers.
 * Nobody who did not opt in gets a direct message: a person's own nudge is their opt-in (ctx.rememberAddress), a
 * topic reaches only its subscribers, and a snoozed subscriber or a paused nudge is skipped.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  action,
  button,
  commandRoute,
  type Feature,
  privately,
  routeTo,
  type TurnContext,
} from '../../core/context.js';
import type { FeatureDeps } from '../../core/feature-deps.js';
import { fieldText } from '../../core/forms.js';
import { tenantHash } from '../../core/tenant-settings.js';
import { textMessage } from '../../dialog/render.js';
import { isTimeZone } from '../../lib/quiet-hours.js';
import { DAY_MS } from '../../lib/time.js';
import type { Block } from '../../message/types.js';
import { updateWithRetry } from '../../store/update-with-retry.js';
import { organiserAudit } from '../organisers/audit.js';
import { topicName } from '../subscriptions/feature.js';
import { GENERAL_TOPIC, listTopics, topicExists } from '../subscriptions/store.js';
import {
  EVERY,
  type Every,
  firstNudge,
  NUDGE_JOB,
  NUDGE_KIND,
  NUDGES_FEATURE,
  type Nudge,
  nudgeKeys,
} from './model.js';
import { createNudgeScheduler } from './scheduler.js';

const EveryData = z.object({ e: z.enum(EVERY) }).strict();
const IdData = z.object({ n: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/) }).strict();
const SnoozeData = z.object({ d: z.enum(['7', '28', '0']) }).strict();
const NoData = z.object({}).strict();

export function createNudgesFeature(deps: FeatureDeps): Feature {
  const { store, config, queue, now } = deps;
  const audit = organiserAudit(store, now);
  const personId = (person: string) => deps.hash('nudge', person);
  const tenantOf = (ctx: TurnContext) => tenantHash(ctx.hash, ctx.event.platform, ctx.event.user.tenantId);
  const zoneOf = (ctx: TurnContext) =>
    ctx.event.timeZone && isTimeZone(ctx.event.timeZone) ? ctx.event.timeZone : config.timeZone;
  const date = (ctx: TurnContext, at: number) =>
    new Intl.DateTimeFormat(ctx.locale, { dateStyle: 'full', timeStyle: 'short', timeZone: zoneOf(ctx) }).format(at);

  const { get, save, remove, fire, kind } = createNudgeScheduler(deps);

  async function remindMe(ctx: TurnContext, note?: string): Promise<void> {
    const current = await get(personId(ctx.person));
    const blocks: Block[] = [{ type: 'heading', text: ctx.t('nudges.mine.title') }];
    if (note) blocks.push({ type: 'text', text: note });
    blocks.push({
      type: 'text',
      text: current
        ? ctx.t('nudges.mine.current', { every: ctx.t(`nudges.every.${current.every}`), next: date(ctx, current.next) })
        : ctx.t('nudges.mine.none'),
    });
    if (current?.snoozedUntil && current.snoozedUntil > ctx.now)
      blocks.push({ type: 'text', text: ctx.t('nudges.mine.snoozed', { until: date(ctx, current.snoozedUntil) }) });
    blocks.push({
      type: 'buttons',
      buttons: EVERY.map((e) => button(ctx.t(`nudges.every.${e}`), routeTo(NUDGES_FEATURE, 'set', { e }))),
    });
    if (current)
      blocks.push({
        type: 'buttons',
        buttons: [
          button(ctx.t('nudges.message.pause'), routeTo(NUDGES_FEATURE, 'snooze', { d: '28' })),
          button(ctx.t('nudges.message.stop'), routeTo(NUDGES_FEATURE, 'stop'), 'danger'),
        ],
      });
    blocks.push({ type: 'text', text: ctx.t('nudges.mine.quiet'), tone: 'muted' });
    await ctx.io.send({ text: ctx.t('nudges.mine.title'), blocks }, privately(ctx));
  }

  async function setMine(ctx: TurnContext, every: Every): Promise<void> {
    // The opt-in: the person asked to be written to.
    const address = await ctx.rememberAddress();
    const timeZone = zoneOf(ctx);
    // A pause the person chose stays when they change how often.
    const paused = (await get(personId(ctx.person)))?.snoozedUntil;
    const nudge: Nudge = {
      ...(paused && paused > ctx.now ? { snoozedUntil: paused } : {}),
      id: personId(ctx.person),
      target: { kind: 'person', address },
      every,
      next: firstNudge(ctx.now, every, timeZone),
      timeZone,
      locale: ctx.locale,
      createdBy: ctx.person,
      tenant: tenantOf(ctx),
      createdAt: ctx.now,
    };
    await save(nudge, ctx.person);
    await remindMe(ctx, ctx.t('nudges.mine.set', { every: ctx.t(`nudges.every.${every}`) }));
  }

  async function snooze(ctx: TurnContext, days: number): Promise<void> {
    const id = personId(ctx.person);
    const stored = await updateWithRetry<Nudge>(store, nudgeKeys.nudge(id), (c) => {
      if (!c) return c;
      const { snoozedUntil: _, ...rest } = c;
      return days > 0 ? { ...rest, snoozedUntil: ctx.now + days * DAY_MS } : rest;
    });
    const text = !stored
      ? ctx.t('nudges.mine.none')
      : days > 0
        ? ctx.t('nudges.mine.snoozed', { until: date(ctx, ctx.now + days * DAY_MS) })
        : ctx.t('nudges.mine.resumed');
    await ctx.io.send(textMessage(text), privately(ctx));
  }

  async function stopMine(ctx: TurnContext): Promise<void> {
    const removed = await remove(personId(ctx.person));
    await ctx.io.send(textMessage(ctx.t(removed ? 'nudges.mine.stopped' : 'nudges.mine.none')), privately(ctx));
  }

  async function admin(ctx: TurnContext, note?: string): Promise<void> {
    const tenant = tenantOf(ctx);
    const page = await store.indexRange(nudgeKeys.all, { limit: 1000 });
    const topics = await listTopics(store);
    const blocks: Block[] = [{ type: 'heading', text: ctx.t('nudges.admin.title') }];
    if (note) blocks.push({ type: 'text', text: note });
    for (const { member } of page.entries) {
      const nudge = await get(member);
      if (!nudge || nudge.tenant !== tenant || nudge.target.kind === 'person') continue;
      const target =
        nudge.target.kind === 'channel'
          ? ctx.t('nudges.admin.channel')
          : ctx.t('nudges.admin.topic', {
              topic: topicName(
                ctx,
                topics.find((t) => t.id === (nudge.target as { topic: string }).topic),
                nudge.target.topic,
              ),
            });
      blocks.push({
        type: 'text',
        text: ctx.t('nudges.admin.line', {
          target,
          every: ctx.t(`nudges.every.${nudge.every}`),
          next: date(ctx, nudge.next),
        }),
      });
      blocks.push({
        type: 'buttons',
        buttons: [button(ctx.t('nudges.admin.remove'), routeTo(NUDGES_FEATURE, 'remove', { n: nudge.id }), 'danger')],
      });
    }
    const channel = !ctx.event.conversation.isDirect;
    blocks.push({
      type: 'form',
      title: ctx.t(channel ? 'nudges.admin.forChannel' : 'nudges.admin.forTopic'),
      fields: [
        ...(channel
          ? []
          : [
              {
                id: 'topic',
                label: ctx.t('nudges.admin.topicField'),
                kind: 'choice' as const,
                choices: topics.map((t) => ({ id: t.id, label: topicName(ctx, t, t.id) })),
                value: GENERAL_TOPIC,
              },
            ]),
        {
          id: 'every',
          label: ctx.t('nudges.admin.everyField'),
          kind: 'choice',
          choices: EVERY.map((e) => ({ id: e, label: ctx.t(`nudges.every.${e}`) })),
          value: 'month',
        },
      ],
      submitLabel: ctx.t('nudges.admin.add'),
      route: routeTo(NUDGES_FEATURE, 'add'),
      openRoute: commandRoute('nudges'),
    });
    await ctx.io.send({ text: ctx.t('nudges.admin.title'), blocks }, channel ? {} : privately(ctx));
  }

  async function add(ctx: TurnContext, fields: Record<string, string | string[]> | undefined): Promise<void> {
    const every = fieldText({ fields }, 'every') as Every;
    const topic = fieldText({ fields }, 'topic') || GENERAL_TOPIC;
    if (!EVERY.includes(every)) return admin(ctx, ctx.t('nudges.admin.badEvery'));
    const channel = !ctx.event.conversation.isDirect;
    if (!channel && !(await topicExists(store, topic))) return admin(ctx, ctx.t('subscriptions.unknownTopic'));
    // A channel the organiser is in: remembered so it can be reached later (a channel needs no opt-in).
    const target: Nudge['target'] = channel
      ? { kind: 'channel', address: await deps.addresses.rememberChannel(ctx.event.conversation) }
      : { kind: 'topic', topic, platform: ctx.event.platform, tenant: tenantOf(ctx) };
    const timeZone = zoneOf(ctx);
    const nudge: Nudge = {
      id: randomBytes(9).toString('base64url'),
      target,
      every,
      next: firstNudge(ctx.now, every, timeZone),
      timeZone,
      locale: ctx.locale,
      createdBy: ctx.person,
      tenant: tenantOf(ctx),
      createdAt: ctx.now,
    };
    await save(nudge);
    await audit.chat(ctx, 'nudge.set', nudge.id);
    await admin(ctx, ctx.t('nudges.admin.added', { next: date(ctx, nudge.next) }));
  }

  async function removeOne(ctx: TurnContext, id: string): Promise<void> {
    const nudge = await get(id);
    const ok = nudge && nudge.tenant === tenantOf(ctx) && nudge.target.kind !== 'person' && (await remove(id));
    if (ok) await audit.chat(ctx, 'nudge.removed', id);
    await ctx.io.update(textMessage(ctx.t(ok ? 'nudges.admin.removed' : 'nudges.admin.notFound')));
  }

  const organiser = 'organiser' as const;
  return {
    id: NUDGES_FEATURE,
    commands: {
      remindMe: { words: ['herinner mij', 'herinner me', 'remind me'], run: (ctx) => remindMe(ctx) },
      nudges: { words: ['checkin herinneringen', 'nudges'], audience: organiser, run: (ctx) => admin(ctx) },
    },
    actions: {
      set: action(EveryData, (ctx, data) => setMine(ctx, data.e)),
      snooze: action(SnoozeData, (ctx, data) => snooze(ctx, Number(data.d))),
      stop: action(NoData, stopMine),
      add: action(NoData, (ctx, _d, input) => add(ctx, input.fields), organiser),
      remove: action(IdData, (ctx, data) => removeOne(ctx, data.n), organiser),
    },
    broadcastKinds: { [NUDGE_KIND]: kind },
    personData: {
      async describe(ctx) {
        const nudge = await get(personId(ctx.person));
        return nudge ? [ctx.t('nudges.myData', { every: ctx.t(`nudges.every.${nudge.every}`) })] : [];
      },
      async beforeForget(ctx) {
        // The queued job and the shared index are not reached by the person index.
        const removed = await remove(personId(ctx.person));
        return { deleted: removed ? [ctx.t('nudges.forget.deleted')] : [], messagesRemoved: 0, messagesLeft: 0 };
      },
      /**
       * The person's own nudge is named by a keyed hash of their pseudonym, which the rotation changes too (and under
       * the current key at that): it is found through their keys and saved again under their new id, with its job and
       * its place in the shared index, before the old one goes.
       */
      async rekey(from, to) {
        const id = personId(to);
        for (const key of await store.keysOf(from)) {
          if (!key.startsWith(nudgeKeys.nudge(''))) continue;
          const nudge = (await store.getVersioned<Nudge>(key)).value;
          if (nudge?.target.kind !== 'person' || nudge.id === id) continue;
          const address = { kind: 'person' as const, platform: nudge.target.address.platform, person: to };
          await save({ ...nudge, id, createdBy: to, target: { kind: 'person', address } }, to);
          await remove(nudge.id);
        }
      },
    },
    async start() {
      queue.work<{ n: string; at: number }>(NUDGE_JOB, async (job) => {
        await fire(job.data);
        return undefined;
      });
    },
  };
}
