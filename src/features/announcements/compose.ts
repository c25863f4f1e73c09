/**
 * Composing an announcement in the chat: a form (Slack modal, Teams card, terminal prompts), checked on submit —
 * no text, no audience or a time in the past comes back with the reason and everything typed — then a preview
 * with "send" (or "schedule"), "change" and "throw away". What was typed is kept as a draft for a week.
 */
import { TZDate } from '@date-fns/tz';
import { commandRoute, routeTo, type TurnContext } from '../../core/context.js';
import { fieldList, fieldText } from '../../core/forms.js';
import type { Block, FormField } from '../../message/types.js';
import { tenantHash } from '../../core/tenant-settings.js';
import { createSessionRepo } from '../sessions/model.js';
import { listTopics } from '../subscriptions/store.js';
import { topicName } from '../subscriptions/feature.js';
import { ANNOUNCEMENTS_FEATURE, type Audience } from './model.js';

export type Fields = Record<string, string | string[]>;
export const ALL_TOPICS = '*';
/** The session field's "no session". */
export const NO_SESSION = '-';
export const MAX_TEXT = 3000;
export const MAX_TITLE = 150;

/** What an organiser may have typed: the form's values. */
export interface Draft {
  fields: Fields;
  updatedAt: number;
}

/** A checked composition, ready for a preview. */
export interface Composed {
  title?: string;
  text: string;
  audience: Audience;
  /** ms since epoch; now when not set. */
  sendAt?: number;
  /** The session it is about: readers get an "ik doe mee" button. */
  sessionId?: string;
}

/** A time as typed or picked: ISO with an offset, or a wall-clock time in `timeZone` (2026-12-01 14:00, 1-12-2026 14:00). */
export function parseWhen(value: string, timeZone: string): number | 'invalid' | undefined {
  const text = value.trim().replace(/\s+/, 'T');
  if (text === '') return undefined;
  if (/(Z|[+-]\d\d:?\d\d)$/i.test(text)) {
    const at = Date.parse(text);
    return Number.isNaN(at) ? 'invalid' : at;
  }
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2})[:.](\d{2})$/.exec(text);
  const dutch = /^(\d{1,2})-(\d{1,2})-(\d{4})T(\d{1,2})[:.](\d{2})$/.exec(text);
  const parts = iso
    ? [iso[1], iso[2], iso[3], iso[4], iso[5]]
    : dutch
      ? [dutch[3], dutch[2], dutch[1], dutch[4], dutch[5]]
      : undefined;
  if (!parts) return 'invalid';
  const [y, mo, d, h, mi] = parts.map(Number) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return 'invalid';
  const at = new TZDate(y, mo - 1, d, h, mi, timeZone);
  // 31 February rolls over into March: refuse what is not a real date.
  if (at.getDate() !== d || at.getMonth() !== mo - 1) return 'invalid';
  return at.getTime();
}

/** Check a submission; the reason (a text key) names the first problem, `field` the form field it is about. */
export function checkComposition(
  fields: Fields,
  options: { now: number; timeZone: string; platform: string },
): { ok: Composed } | { error: string; field: string } {
  const input = { fields };
  const title = fieldText(input, 'title');
  const text = fieldText(input, 'text');
  if (text === '') return { error: 'announcements.errors.noText', field: 'text' };
  if (text.length > MAX_TEXT) return { error: 'announcements.errors.textTooLong', field: 'text' };
  if (title.length > MAX_TITLE) return { error: 'announcements.errors.titleTooLong', field: 'title' };
  const targets = fieldList(input, 'audience');
  const channels = options.platform === 'slack' ? fieldList(input, 'channels') : [];
  if (targets.length === 0 && channels.length === 0)
    return { error: 'announcements.errors.noAudience', field: 'audience' };
  const topic = fieldText(input, 'topic');
  const audience: Audience = {
    ...(targets.includes('allChannels') ? { allChannels: true } : {}),
    ...(channels.length > 0 ? { slackChannels: channels } : {}),
    ...(targets.includes('subscribers') ? { subscribers: topic && topic !== ALL_TOPICS ? { topic } : {} } : {}),
  };
  const when = parseWhen(fieldText(input, 'sendAt'), options.timeZone);
  if (when === 'invalid') return { error: 'announcements.errors.badTime', field: 'sendAt' };
  // A minute of slack for the time it takes to fill in the form.
  if (when !== undefined && when < options.now - 60_000)
    return { error: 'announcements.errors.pastTime', field: 'sendAt' };
  const session = fieldText(input, 'session');
  return {
    ok: {
      ...(title ? { title } : {}),
      ...(session && session !== NO_SESSION ? { sessionId: session } : {}),
      text,
      audience,
      ...(when !== undefined && when > options.now ? { sendAt: when } : {}),
    },
  };
}

/** The composition form, filled with what was typed before, with the reason it was refused when it was. */
export async function composeForm(
  ctx: TurnContext,
  values: Fields,
  error?: string,
  errorField?: string,
): Promise<Block> {
  const topics = await listTopics(ctx.store);
  const value = (id: string) => (values[id] !== undefined ? { value: values[id] } : {});
  const zone = ctx.event.timeZone ?? ctx.config.timeZone;
  const fields: FormField[] = [
    { id: 'title', label: ctx.t('announcements.form.title'), kind: 'text', maxLength: MAX_TITLE, ...value('title') },
    {
      id: 'text',
      label: ctx.t('announcements.form.text'),
      kind: 'textarea',
      required: true,
      maxLength: MAX_TEXT,
      ...value('text'),
    },
    {
      id: 'audience',
      label: ctx.t('announcements.form.audience'),
      kind: 'multichoice',
      choices: [
        { id: 'allChannels', label: ctx.t('announcements.form.allChannels') },
        { id: 'subscribers', label: ctx.t('announcements.form.subscribers') },
      ],
      ...value('audience'),
    },
  ];
  if (ctx.event.platform === 'slack')
    fields.push({
      id: 'channels',
      label: ctx.t('announcements.form.channels'),
      kind: 'channels',
      hint: ctx.t('announcements.form.channelsHint'),
      ...value('channels'),
    });
  fields.push(
    {
      id: 'topic',
      label: ctx.t('announcements.form.topic'),
      kind: 'choice',
      choices: [
        { id: ALL_TOPICS, label: ctx.t('announcements.form.allTopics') },
        ...topics.map((t) => ({ id: t.id, label: topicName(ctx, t, t.id) })),
      ],
      value: values.topic ?? ALL_TOPICS,
    },
    {
      id: 'session',
      label: ctx.t('announcements.form.session'),
      kind: 'choice',
      choices: [{ id: NO_SESSION, label: ctx.t('announcements.form.noSession') }, ...(await sessionChoices(ctx))],
      value: values.session ?? NO_SESSION,
    },
    {
      id: 'sendAt',
      label: ctx.t('announcements.form.sendAt'),
      kind: 'datetime',
      hint: ctx.t('announcements.form.sendAtHint', { zone }),
      ...value('sendAt'),
    },
  );
  return {
    type: 'form',
    title: ctx.t('announcements.form.heading'),
    fields,
    submitLabel: ctx.t('announcements.form.submit'),
    route: routeTo(ANNOUNCEMENTS_FEATURE, 'submit'),
    openRoute: commandRoute('announce'),
    ...(error ? { error, ...(errorField ? { errorField } : {}) } : {}),
  };
}

/** Upcoming sessions of the organiser's workspace or tenant (or made through the API), to link an announcement to. */
async function sessionChoices(ctx: TurnContext) {
  const sessions = await createSessionRepo(ctx.store).between(ctx.now, Number.MAX_SAFE_INTEGER, 50);
  const tenant = tenantHash(ctx.hash, ctx.event.platform, ctx.event.user.tenantId);
  const format = new Intl.DateTimeFormat(ctx.locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: ctx.config.timeZone,
  });
  return sessions
    .filter((s) => s.status === 'open' && (!s.scope || s.scope.tenant === tenant))
    .map((s) => ({ id: s.id, label: `${s.title} (${format.format(s.startsAt)})` }));
}
