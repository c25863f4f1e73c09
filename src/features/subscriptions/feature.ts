/**
 * Subscriptions: people opt in to direct messages per topic (nobody gets one without), opt out, and pause them for a
 * while. Organisers manage the topics. Subscribing remembers how to reach the person (ctx.rememberAddress).
 */
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
import { organiserAudit } from '../organisers/audit.js';
import {
  GENERAL_TOPIC,
  listTopics,
  removeSubscriber,
  renameSubscriber,
  SUBSCRIPTIONS_FEATURE,
  type Subscription,
  saveSubscription,
  subscriptionKeys,
  type Topic,
  topicExists,
  topicId,
} from './store.js';

const ToggleData = z.object({ t: z.string().min(1).max(40), on: z.enum(['0', '1']) }).strict();
const SnoozeData = z.object({ d: z.enum(['0', '1', '7', '28']) }).strict();
const TopicData = z.object({ t: z.string().min(1).max(40) }).strict();
const NoData = z.object({}).strict();

/** The topic's name in the person's language (the general topic has a text of its own). */
export const topicName = (ctx: Pick<TurnContext, 't'>, topic: Topic | undefined, id: string): string =>
  id === GENERAL_TOPIC ? ctx.t('subscriptions.general') : (topic?.name ?? id);

export function createSubscriptionsFeature(deps: FeatureDeps): Feature {
  const { store } = deps;
  const audit = organiserAudit(store, deps.now);
  const load = (person: string) => store.get<Subscription>(subscriptionKeys.person(person));
  const date = (ctx: TurnContext, at: number) =>
    new Intl.DateTimeFormat(ctx.locale, { dateStyle: 'medium', timeZone: deps.config.timeZone }).format(at);

  async function overview(ctx: TurnContext, note?: string): Promise<void> {
    const [topics, current] = await Promise.all([listTopics(store), load(ctx.person)]);
    const mine = new Set(current?.topics ?? []);
    const blocks: Block[] = [{ type: 'heading', text: ctx.t('subscriptions.title') }];
    if (note) blocks.push({ type: 'text', text: note });
    blocks.push({ type: 'text', text: ctx.t('subscriptions.intro') });
    for (const topic of topics) {
      const on = mine.has(topic.id);
      const name = topicName(ctx, topic, topic.id);
      blocks.push({ type: 'text', text: ctx.t(on ? 'subscriptions.on' : 'subscriptions.off', { topic: name }) });
      blocks.push({
        type: 'buttons',
        buttons: [
          button(
            ctx.t(on ? 'subscriptions.buttons.unsubscribe' : 'subscriptions.buttons.subscribe', { topic: name }),
            routeTo(SUBSCRIPTIONS_FEATURE, 'toggle', { t: topic.id, on: on ? '0' : '1' }),
            on ? undefined : 'primary',
          ),
        ],
      });
    }
    if (current?.snoozedUntil && current.snoozedUntil > ctx.now)
      blocks.push({ type: 'text', text: ctx.t('subscriptions.snoozed', { until: date(ctx, current.snoozedUntil) }) });
    if (mine.size > 0)
      blocks.push({
        type: 'buttons',
        buttons: [button(ctx.t('subscriptions.buttons.snooze'), commandRoute('snooze'))],
      });
    blocks.push({ type: 'text', text: ctx.t('subscriptions.quiet'), tone: 'muted' });
    await ctx.io.send({ text: ctx.t('subscriptions.title'), blocks }, privately(ctx));
  }

  async function toggle(ctx: TurnContext, data: z.infer<typeof ToggleData>): Promise<void> {
    if (!(await topicExists(store, data.t))) {
      await ctx.io.send(textMessage(ctx.t('subscriptions.unknownTopic'), 'muted'), privately(ctx));
      return;
    }
    const previous = await load(ctx.person);
    const topics = new Set(previous?.topics ?? []);
    if (data.on === '1') {
      // The opt-in: from now on the bot may write to this person, so it keeps how to reach them.
      await ctx.rememberAddress();
      topics.add(data.t);
    } else topics.delete(data.t);
    const zone = ctx.event.timeZone && isTimeZone(ctx.event.timeZone) ? ctx.event.timeZone : previous?.timeZone;
    const next: Subscription = {
      platform: ctx.event.platform,
      tenant: tenantHash(ctx.hash, ctx.event.platform, ctx.event.user.tenantId),
      topics: [...topics],
      since: previous?.since ?? ctx.now,
      ...(previous?.snoozedUntil ? { snoozedUntil: previous.snoozedUntil } : {}),
      ...(zone ? { timeZone: zone } : {}),
    };
    await saveSubscription(store, ctx.person, next, previous);
    const topic = topicName(ctx, await store.get<Topic>(subscriptionKeys.topic(data.t)), data.t);
    await overview(ctx, ctx.t(data.on === '1' ? 'subscriptions.subscribed' : 'subscriptions.unsubscribed', { topic }));
  }

  async function snoozeMenu(ctx: TurnContext): Promise<void> {
    const option = (d: '1' | '7' | '28' | '0') =>
      button(ctx.t(`subscriptions.snooze.options.${d}`), routeTo(SUBSCRIPTIONS_FEATURE, 'snooze', { d }));
    await ctx.io.send(
      {
        text: ctx.t('subscriptions.snooze.prompt'),
        blocks: [
          { type: 'text', text: ctx.t('subscriptions.snooze.prompt') },
          { type: 'buttons', buttons: [option('1'), option('7'), option('28'), option('0')] },
        ],
      },
      privately(ctx),
    );
  }

  async function snooze(ctx: TurnContext, data: z.infer<typeof SnoozeData>): Promise<void> {
    const previous = await load(ctx.person);
    if (!previous || previous.topics.length === 0) {
      await ctx.io.send(textMessage(ctx.t('subscriptions.snooze.nothing')), privately(ctx));
      return;
    }
    const days = Number(data.d);
    const { snoozedUntil: _, ...rest } = previous;
    const next: Subscription = days > 0 ? { ...rest, snoozedUntil: ctx.now + days * DAY_MS } : rest;
    await saveSubscription(store, ctx.person, next, previous);
    const text =
      days > 0
        ? ctx.t('subscriptions.snooze.done', { until: date(ctx, ctx.now + days * DAY_MS) })
        : ctx.t('subscriptions.snooze.resumed');
    await ctx.io.update(textMessage(text));
  }

  async function topicsAdmin(ctx: TurnContext, error?: string, typed?: string): Promise<void> {
    const topics = await listTopics(store);
    const blocks: Block[] = [{ type: 'heading', text: ctx.t('subscriptions.topics.title') }];
    for (const topic of topics) {
      const count = await store.indexCount(subscriptionKeys.members(topic.id));
      blocks.push({
        type: 'text',
        text: ctx.t('subscriptions.topics.item', { topic: topicName(ctx, topic, topic.id), id: topic.id, count }),
      });
      if (topic.id !== GENERAL_TOPIC)
        blocks.push({
          type: 'buttons',
          buttons: [
            button(
              ctx.t('subscriptions.topics.remove', { topic: topic.name }),
              routeTo(SUBSCRIPTIONS_FEATURE, 'removeTopic', { t: topic.id }),
              'danger',
            ),
          ],
        });
    }
    blocks.push({
      type: 'form',
      title: ctx.t('subscriptions.topics.add'),
      fields: [
        {
          id: 'name',
          label: ctx.t('subscriptions.topics.name'),
          kind: 'text',
          required: true,
          maxLength: 60,
          ...(typed ? { value: typed } : {}),
        },
      ],
      submitLabel: ctx.t('subscriptions.topics.addButton'),
      route: routeTo(SUBSCRIPTIONS_FEATURE, 'addTopic'),
      openRoute: commandRoute('topics'),
      ...(error ? { error } : {}),
    });
    await ctx.io.send({ text: ctx.t('subscriptions.topics.title'), blocks }, privately(ctx));
  }

  async function addTopic(ctx: TurnContext, fields: Record<string, string | string[]> | undefined): Promise<void> {
    const name = fieldText({ fields }, 'name');
    const id = topicId(name);
    if (!name || id.length < 2) return topicsAdmin(ctx, ctx.t('subscriptions.topics.errors.name'), name);
    if (name.length > 60) return topicsAdmin(ctx, ctx.t('subscriptions.topics.errors.long'), name);
    if (await topicExists(store, id)) return topicsAdmin(ctx, ctx.t('subscriptions.topics.errors.exists'), name);
    await store.set(subscriptionKeys.topic(id), { id, name, createdAt: ctx.now } satisfies Topic);
    await store.indexAdd(subscriptionKeys.topics, id, ctx.now);
    await audit.chat(ctx, 'topic.added', id);
    await ctx.io.send(textMessage(ctx.t('subscriptions.topics.added', { topic: name, id })), privately(ctx));
  }

  async function removeTopic(ctx: TurnContext, data: z.infer<typeof TopicData>): Promise<void> {
    if (data.t === GENERAL_TOPIC || !(await store.delete(subscriptionKeys.topic(data.t)))) {
      await ctx.io.send(textMessage(ctx.t('subscriptions.unknownTopic'), 'muted'), privately(ctx));
      return;
    }
    await store.indexRemove(subscriptionKeys.topics, data.t);
    // Subscribers keep the topic in their record until they change it; the topic's index goes with the topic.
    await store.delete(subscriptionKeys.members(data.t));
    await audit.chat(ctx, 'topic.removed', data.t);
    await ctx.io.update(textMessage(ctx.t('subscriptions.topics.removed')));
  }

  const organiser = 'organiser' as const;
  return {
    id: SUBSCRIPTIONS_FEATURE,
    commands: {
      subscribe: { words: ['abonneren', 'aanmelden', 'subscribe'], menu: 'everywhere', run: (ctx) => overview(ctx) },
      unsubscribe: { words: ['afmelden', 'unsubscribe'], run: (ctx) => overview(ctx) },
      snooze: { words: ['pauzeren', 'pauze', 'snooze'], run: snoozeMenu },
      topics: { words: ['onderwerpen', 'topics'], audience: organiser, run: (ctx) => topicsAdmin(ctx) },
    },
    actions: {
      toggle: action(ToggleData, toggle),
      snooze: action(SnoozeData, snooze),
      addTopic: action(NoData, (ctx, _d, input) => addTopic(ctx, input.fields), organiser),
      removeTopic: action(TopicData, removeTopic, organiser),
    },
    personData: {
      async describe(ctx) {
        const current = await load(ctx.person);
        if (!current || current.topics.length === 0) return [];
        const topics = await listTopics(store);
        const names = current.topics.map((id) =>
          topicName(
            ctx,
            topics.find((t) => t.id === id),
            id,
          ),
        );
        return [ctx.t('subscriptions.myData', { topics: names.join(', ') })];
      },
      async beforeForget(ctx) {
        // Shared indexes and queued messages are not reached by the person index: take them out first.
        await removeSubscriber(store, ctx.person);
        await deps.broadcasts.forgetPerson(ctx.person);
      },
      // Messages queued for the person need nothing: their delivery records are their keys, rewritten as they move.
      rekey: (from, to) => renameSubscriber(store, from, to),
    },
  };
}
