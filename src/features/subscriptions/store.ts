/**
 * Topics and subscriptions. Topics are the deployment's (organisers manage them; the general topic always exists).
 * A subscription is person data (tracked for "vergeet mij"): which topics, a snooze, the person's time zone. Shared
 * indexes list subscribers per topic for the audience of an announcement; "vergeet mij" takes the person out of them.
 */
import type { Recipient } from '../../delivery/ledger.js';
import type { Platform } from '../../message/types.js';
import type { KeyValueStore } from '../../store/store.js';

export const SUBSCRIPTIONS_FEATURE = 'subscriptions';
/** The topic every deployment has: announcements in general. */
export const GENERAL_TOPIC = 'algemeen';

export interface Topic {
  id: string;
  name: string;
  createdAt: number;
}

export interface Subscription {
  platform: Platform;
  /** The workspace or tenant (keyed hash). */
  tenant: string;
  topics: string[];
  /** ms since epoch: no direct messages before this. */
  snoozedUntil?: number;
  timeZone?: string;
  since: number;
}

export const subscriptionKeys = {
  topic: (id: string) => `subscriptions:topic:${id}`,
  topics: 'subscriptions:topics',
  person: (person: string) => `subscriptions:person:${person}`,
  /** Subscribers of one topic: `<platform>|<tenant>|<pseudonym>`. */
  members: (topic: string) => `subscriptions:members:${topic}`,
} as const;

/** A topic id from its name: lower case letters, digits and hyphens. */
export function topicId(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
}

export async function listTopics(store: KeyValueStore): Promise<Topic[]> {
  const page = await store.indexRange(subscriptionKeys.topics, { limit: 100 });
  const topics = await Promise.all(page.entries.map((e) => store.get<Topic>(subscriptionKeys.topic(e.member))));
  const general: Topic = { id: GENERAL_TOPIC, name: '', createdAt: 0 };
  return [general, ...topics.filter((t): t is Topic => t !== undefined && t.id !== GENERAL_TOPIC)];
}

export async function topicExists(store: KeyValueStore, id: string): Promise<boolean> {
  return id === GENERAL_TOPIC || (await store.get(subscriptionKeys.topic(id))) !== undefined;
}

const member = (s: Pick<Subscription, 'platform' | 'tenant'>, person: string) => `${s.platform}|${s.tenant}|${person}`;

/** Write a person's subscription and put them in (or take them out of) the topic indexes. */
export async function saveSubscription(
  store: KeyValueStore,
  person: string,
  next: Subscription,
  previous: Subscription | undefined,
): Promise<void> {
  const key = subscriptionKeys.person(person);
  await store.track(person, key);
  for (const topic of previous?.topics ?? [])
    if (!next.topics.includes(topic)) await store.indexRemove(subscriptionKeys.members(topic), member(next, person));
  for (const topic of next.topics)
    await store.indexAdd(subscriptionKeys.members(topic), member(next, person), next.since);
  if (next.topics.length === 0 && next.snoozedUntil === undefined) await store.delete(key);
  else await store.set(key, next);
}

/** Take a person out of every topic index (before "vergeet mij" deletes their record). */
export async function removeSubscriber(store: KeyValueStore, person: string): Promise<void> {
  const current = await store.get<Subscription>(subscriptionKeys.person(person));
  if (!current) return;
  for (const topic of current.topics) await store.indexRemove(subscriptionKeys.members(topic), member(current, person));
}

/**
 * A PSEUDONYM_KEY rotation moves the person to `to`: their member in each topic index is renamed in place (their
 * record moves with their keys afterwards).
 */
export async function renameSubscriber(store: KeyValueStore, from: string, to: string): Promise<void> {
  const current = await store.get<Subscription>(subscriptionKeys.person(from));
  if (!current) return;
  for (const topic of current.topics)
    await store.indexRenameMember(subscriptionKeys.members(topic), member(current, from), member(current, to));
}

export interface SubscriberFilter {
  platform?: Platform;
  /** Only this workspace or tenant (keyed hash): an organiser's announcement from the chat. */
  tenant?: string;
  /** Only this topic; all topics when absent (someone in two topics counts once: the ledger sends once). */
  topic?: string;
}

/**
 * One page of subscribers as recipients. The cursor walks the topics in order (`<topic index>|<member>`); snoozed
 * people are left out (they asked for a pause), the rest carry their time zone for quiet hours.
 */
export async function subscriberPage(
  store: KeyValueStore,
  filter: SubscriberFilter,
  cursor: string | undefined,
  now: number,
): Promise<{ recipients: Recipient[]; next?: string }> {
  const topics = filter.topic ? [filter.topic] : (await listTopics(store)).map((t) => t.id);
  const [topicPart, after] = cursor ? (cursor.split('#') as [string, string]) : ['0', ''];
  const topicIndex = Number(topicPart);
  const topic = topics[topicIndex];
  if (topic === undefined) return { recipients: [] };
  const page = await store.indexRange(subscriptionKeys.members(topic), {
    limit: 500,
    ...(after ? { after: JSON.parse(after) as { member: string; score: number } } : {}),
  });
  const candidates = page.entries
    .map((e) => e.member.split('|') as [Platform, string, string])
    .filter(
      ([platform, tenant]) =>
        (!filter.platform || platform === filter.platform) && (!filter.tenant || tenant === filter.tenant),
    );
  const records = await Promise.all(
    candidates.map(([, , person]) => store.get<Subscription>(subscriptionKeys.person(person))),
  );
  const recipients: Recipient[] = [];
  candidates.forEach(([platform, , person], i) => {
    const record = records[i];
    if (!record || (record.snoozedUntil ?? 0) > now) return;
    recipients.push({
      address: { kind: 'person', platform, person },
      label: `topic:${topic}`,
      ...(record.timeZone ? { timeZone: record.timeZone } : {}),
    });
  });
  const next = page.cursor
    ? `${topicIndex}#${JSON.stringify(page.cursor)}`
    : topicIndex + 1 < topics.length
      ? `${topicIndex + 1}#`
      : undefined;
  return { recipients, ...(next ? { next } : {}) };
}
