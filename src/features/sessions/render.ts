/**
 * What people and organisers see of a session: its facts (when, where, module, seats, until when to sign up), the
 * answer to "ik doe mee", reminders, a change (moved or cancelled), a freed seat offered, and the lists.
 */
import { button, routeTo } from '../../core/context.js';
import type { Block, Locale, OutboundMessage, Translate } from '../../message/types.js';
import { SESSIONS_FEATURE } from './keys.js';
import type { Session } from './model.js';
import type { JoinOutcome, Rsvp } from './rsvp.js';

export interface RenderDeps {
  t: Translate;
  locale: Locale;
  timeZone: string;
  /** The module's title in this language, when the session names one. */
  moduleTitle(id: string): string | undefined;
}

export const formatWhen = (r: Pick<RenderDeps, 'locale' | 'timeZone'>, at: number): string =>
  new Intl.DateTimeFormat(r.locale, { dateStyle: 'full', timeStyle: 'short', timeZone: r.timeZone }).format(at);

const route = (verb: string, s: string) => routeTo(SESSIONS_FEATURE, verb, { s });

/** The facts of a session. */
export function sessionFacts(session: Session, r: RenderDeps): Block {
  const facts = [{ label: r.t('sessions.facts.when'), value: formatWhen(r, session.startsAt) }];
  if (session.place) facts.push({ label: r.t('sessions.facts.place'), value: session.place });
  if (session.url) facts.push({ label: r.t('sessions.facts.online'), value: session.url });
  const module = session.module ? r.moduleTitle(session.module) : undefined;
  if (module) facts.push({ label: r.t('sessions.facts.module'), value: module });
  facts.push({ label: r.t('sessions.facts.deadline'), value: formatWhen(r, session.registrationDeadline) });
  return { type: 'facts', facts };
}

/** How full it is, in words. */
export function seatsLine(
  session: Session,
  counts: { seated: number; offered: number; waiting: number },
  r: RenderDeps,
) {
  const free = Math.max(0, session.seats - counts.seated - counts.offered);
  return free > 0
    ? r.t('sessions.seats.free', { free, seats: session.seats })
    : r.t('sessions.seats.full', { seats: session.seats, waiting: counts.waiting });
}

/** The description inside the calendar entry. */
export function calendarDescription(session: Session, r: RenderDeps): string {
  const module = session.module ? r.moduleTitle(session.module) : undefined;
  return [r.t('sessions.calendar.description'), module, session.url].filter(Boolean).join('\n');
}

/** The answer to "ik doe mee". */
export function joinReply(outcome: JoinOutcome, session: Session | undefined, r: RenderDeps): string {
  const title = session?.title ?? '';
  switch (outcome.kind) {
    case 'notFound':
      return r.t('sessions.join.notFound');
    case 'cancelled':
      return r.t('sessions.join.cancelled', { title });
    case 'closed':
      return r.t('sessions.join.closed', { title });
    case 'busy':
      return r.t('sessions.join.busy');
    case 'seated':
      return r.t(outcome.already ? 'sessions.join.alreadySeated' : 'sessions.join.seated', { title });
    case 'waiting':
      return r.t(outcome.already ? 'sessions.join.alreadyWaiting' : 'sessions.join.waiting', {
        title,
        position: outcome.position,
      });
    case 'offered':
      return r.t('sessions.join.offered', { title, until: formatWhen(r, outcome.until) });
  }
}

/** A reminder before the session, with a way to give the seat back. */
export function reminderMessage(session: Session, r: RenderDeps, calendar?: Block): OutboundMessage {
  const text = r.t('sessions.reminder.text', { title: session.title, when: formatWhen(r, session.startsAt) });
  const blocks: Block[] = [
    { type: 'heading', text: r.t('sessions.reminder.title') },
    { type: 'text', text },
    sessionFacts(session, r),
  ];
  if (calendar) blocks.push(calendar);
  blocks.push({ type: 'text', text: r.t('sessions.reminder.cannot'), tone: 'muted' });
  blocks.push({
    type: 'buttons',
    buttons: [button(r.t('sessions.buttons.leave'), route('leave', session.id), 'danger')],
  });
  return { text, blocks };
}

/** A session moved or was cancelled. */
export function changeMessage(session: Session, r: RenderDeps, calendar?: Block): OutboundMessage {
  const cancelled = session.status === 'cancelled';
  const text = cancelled
    ? r.t('sessions.change.cancelled', { title: session.title, when: formatWhen(r, session.startsAt) })
    : r.t('sessions.change.moved', { title: session.title, when: formatWhen(r, session.startsAt) });
  const blocks: Block[] = [
    { type: 'heading', text: r.t('sessions.change.title') },
    { type: 'text', text },
  ];
  if (!cancelled) blocks.push(sessionFacts(session, r));
  if (calendar) blocks.push(calendar);
  if (!cancelled) {
    blocks.push({ type: 'text', text: r.t('sessions.change.cannot'), tone: 'muted' });
    blocks.push({ type: 'buttons', buttons: [button(r.t('sessions.buttons.leave'), route('leave', session.id))] });
  }
  return { text, blocks };
}

/** A freed seat offered (accept before the deadline) or given (just before the start), or an offer that lapsed. */
export function noticeMessage(
  what: 'offer' | 'lapsed' | 'seated',
  session: Session,
  rsvp: Rsvp | undefined,
  r: RenderDeps,
): OutboundMessage {
  if (what === 'seated' && rsvp?.status === 'seated' && session.status === 'open') {
    const text = r.t('sessions.offer.seated', { title: session.title, when: formatWhen(r, session.startsAt) });
    return {
      text,
      blocks: [
        { type: 'heading', text: r.t('sessions.offer.title') },
        { type: 'text', text },
        sessionFacts(session, r),
        { type: 'buttons', buttons: [button(r.t('sessions.buttons.leave'), route('leave', session.id))] },
      ],
    };
  }
  if (what === 'lapsed' || rsvp?.status !== 'offered' || session.status !== 'open') {
    const text = r.t('sessions.offer.lapsed', { title: session.title });
    return {
      text,
      blocks: [
        { type: 'text', text },
        { type: 'buttons', buttons: [button(r.t('sessions.buttons.join'), route('join', session.id))] },
      ],
    };
  }
  const text = r.t('sessions.offer.text', {
    title: session.title,
    until: formatWhen(r, rsvp.offerExpiresAt ?? session.startsAt),
  });
  return {
    text,
    blocks: [
      { type: 'heading', text: r.t('sessions.offer.title') },
      { type: 'text', text },
      sessionFacts(session, r),
      {
        type: 'buttons',
        buttons: [
          button(r.t('sessions.buttons.accept'), route('accept', session.id), 'primary'),
          button(r.t('sessions.buttons.decline'), route('leave', session.id)),
        ],
      },
    ],
  };
}

/** One line of "mijn inschrijvingen". */
export function myLine(session: Session, rsvp: Rsvp, position: number, r: RenderDeps): string {
  const vars = { title: session.title, when: formatWhen(r, session.startsAt) };
  if (session.status === 'cancelled') return r.t('sessions.mine.cancelled', vars);
  switch (rsvp.status) {
    case 'seated':
      return r.t('sessions.mine.seated', vars);
    case 'offered':
      return r.t('sessions.mine.offered', { ...vars, until: formatWhen(r, rsvp.offerExpiresAt ?? 0) });
    default:
      return r.t('sessions.mine.waiting', { ...vars, position });
  }
}
