/**
 * What people see: the announcement itself (with a way out for subscribers), the organiser's preview, the progress
 * message ("x of y delivered", updated in place) and the final report, which names every channel that could not be
 * reached and why, and counts people without naming them.
 */
import { commandRoute, routeTo } from '../../core/context.js';
import type { RecipientRecord } from '../../delivery/ledger.js';
import type { ProgressState } from '../../delivery/types.js';
import type { Block, Locale, OutboundMessage, Translate } from '../../message/types.js';
import { SESSIONS_FEATURE } from '../sessions/keys.js';
import { GENERAL_TOPIC, SUBSCRIPTIONS_FEATURE } from '../subscriptions/store.js';
import { parseSlackChannel } from './audience.js';
import type { Announcement, PublicStatus } from './model.js';

export interface RenderDeps {
  t: Translate;
  locale: Locale;
  timeZone: string;
}

export const formatWhen = (deps: RenderDeps, at: number): string =>
  new Intl.DateTimeFormat(deps.locale, { dateStyle: 'full', timeStyle: 'short', timeZone: deps.timeZone }).format(at);

/** The announcement as a recipient sees it. A subscriber also gets the topic and buttons to stop or pause. */
export function announcementMessage(
  a: Pick<Announcement, 'title' | 'text' | 'sessionId'>,
  r: RenderDeps,
  recipient?: RecipientRecord,
) {
  const blocks: Block[] = [];
  if (a.title) blocks.push({ type: 'heading', text: a.title });
  blocks.push({ type: 'text', text: a.text });
  // About a session: everyone who reads it can sign up at once (a seat, or a place on the waiting list).
  if (a.sessionId)
    blocks.push({
      type: 'buttons',
      buttons: [
        {
          label: r.t('sessions.buttons.join'),
          route: routeTo(SESSIONS_FEATURE, 'join', { s: a.sessionId }),
          style: 'primary',
        },
      ],
    });
  if (recipient?.address.kind === 'person') {
    const topic = recipient.label?.startsWith('topic:') ? recipient.label.slice(6) : GENERAL_TOPIC;
    blocks.push({ type: 'text', text: r.t('announcements.message.why'), tone: 'muted' });
    blocks.push({
      type: 'buttons',
      buttons: [
        {
          label: r.t('announcements.message.unsubscribe'),
          route: routeTo(SUBSCRIPTIONS_FEATURE, 'toggle', { t: topic, on: '0' }),
        },
        { label: r.t('announcements.message.snooze'), route: commandRoute('snooze') },
      ],
    });
  } else if (recipient) {
    blocks.push({
      type: 'buttons',
      buttons: [{ label: r.t('announcements.message.subscribe'), route: commandRoute('subscribe') }],
    });
  }
  const text = a.title ? `${a.title}\n${a.text}` : a.text;
  return { text, blocks } satisfies OutboundMessage;
}

/** Who an audience reaches, in words. */
export function audienceSummary(a: Announcement, r: RenderDeps, topicName: (id: string) => string): string[] {
  const lines: string[] = [];
  const { audience } = a;
  if (audience.allChannels) lines.push(r.t('announcements.audience.allChannels'));
  const named = (audience.slackChannels?.length ?? 0) + (audience.teamsChannels?.length ?? 0);
  if (named > 0) lines.push(r.t('announcements.audience.channels', { count: named }));
  if (audience.subscribers)
    lines.push(
      r.t('announcements.audience.subscribers', {
        topic: topicName(audience.subscribers.topic ?? GENERAL_TOPIC),
        all: audience.subscribers.topic ? 'no' : 'yes',
      }),
    );
  return lines;
}

/** A channel the organiser named, as they named it, from a record's label. */
function channelName(a: Announcement, label: string | undefined): string | undefined {
  const [kind, index] = (label ?? '').split(':');
  if (kind === 'slack') {
    const named = a.audience.slackChannels?.[Number(index)];
    return named ? `#${parseSlackChannel(named).channel}` : undefined;
  }
  if (kind === 'teams') return a.audience.teamsChannels?.[Number(index)];
  return undefined;
}

/** The organiser's progress message, and the final report once every recipient is final. */
export function progressMessage(a: Announcement, state: ProgressState, r: RenderDeps): OutboundMessage {
  const { counts } = state;
  const name = a.title ?? r.t('announcements.untitled');
  const blocks: Block[] = [
    {
      type: 'heading',
      text: r.t(state.done ? 'announcements.report.title' : 'announcements.progress.title', { name }),
    },
  ];
  const delivered = r.t('announcements.progress.delivered', { sent: counts.sent, total: counts.total });
  blocks.push({ type: 'progress', current: counts.sent, total: Math.max(1, counts.total), label: delivered });
  blocks.push({ type: 'text', text: delivered });
  if (state.done) {
    blocks.push({
      type: 'facts',
      facts: [
        { label: r.t('announcements.report.sent'), value: String(counts.sent) },
        { label: r.t('announcements.report.failed'), value: String(counts.failed) },
        { label: r.t('announcements.report.blocked'), value: String(counts.blocked) },
      ],
    });
    const channelLines: string[] = [];
    let people = 0;
    for (const failure of state.failures) {
      const channel =
        failure.address.kind === 'channel'
          ? (channelName(a, failure.label) ?? r.t('announcements.report.aChannel'))
          : undefined;
      if (!channel) {
        people += 1;
        continue;
      }
      channelLines.push(r.t('announcements.report.channelLine', { channel, reason: reason(failure, r) }));
    }
    if (channelLines.length > 0) blocks.push({ type: 'text', text: channelLines.join('\n'), tone: 'warning' });
    if (people > 0)
      blocks.push({ type: 'text', text: r.t('announcements.report.people', { count: people }), tone: 'muted' });
    if (counts.failed + counts.blocked === 0)
      blocks.push({ type: 'text', text: r.t('announcements.report.allDelivered') });
  } else {
    blocks.push({ type: 'text', text: r.t('announcements.progress.note'), tone: 'muted' });
  }
  return { text: delivered, blocks };
}

/** Why a recipient could not be reached, in words an organiser can act on. */
function reason(record: RecipientRecord, r: RenderDeps): string {
  switch (record.lastStatus) {
    case 'blocked':
      return r.t('announcements.report.reasons.blocked');
    case 'unknown':
    case 'unreadable':
      return r.t('announcements.report.reasons.unknown');
    case 'no-adapter':
      return r.t('announcements.report.reasons.noAdapter');
    default:
      return r.t('announcements.report.reasons.failed', { attempts: record.attempts });
  }
}

/** One line of the organiser's list. */
export function statusLine(
  a: Announcement,
  status: PublicStatus,
  counts: { sent: number; total: number },
  r: RenderDeps,
) {
  return r.t('announcements.list.line', {
    name: a.title ?? a.text.slice(0, 40),
    status: r.t(`announcements.status.${status}`),
    when: formatWhen(r, a.sendAt),
    sent: counts.sent,
    total: counts.total,
  });
}
