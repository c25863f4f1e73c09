/**
 * The broadcast kinds of sessions: a reminder (to everyone seated), a change (to everyone seated, offered or
 * waiting), and a one-person notice (a freed seat offered, an offer that lapsed). The audience is read when the
 * message goes out, so who cancelled in the meantime gets nothing. Each message carries the calendar entry: a file
 * in the terminal, a signed link elsewhere (when PUBLIC_URL is set).
 */
import type { FeatureDeps } from '../../core/feature-deps.js';
import type { Recipient } from '../../delivery/ledger.js';
import type { Broadcast, BroadcastKind } from '../../delivery/types.js';
import type { Block, Locale, Platform } from '../../message/types.js';
import { type CalendarLinks, sessionIcs, writeCalendarFile } from './calendar.js';
import { SESSION_KINDS, sessionKeys } from './keys.js';
import type { Session } from './model.js';
import { calendarDescription, changeMessage, noticeMessage, type RenderDeps, reminderMessage } from './render.js';
import type { Notice, SessionService } from './service.js';

export interface KindDeps {
  deps: FeatureDeps;
  service: SessionService;
  links: CalendarLinks;
  renderFor(locale: Locale, timeZone?: string): RenderDeps;
}

/** The calendar entry for someone on `platform`: a file in the terminal, a signed link elsewhere. */
export function calendarBlock(k: KindDeps, session: Session, platform: Platform, r: RenderDeps): Block | undefined {
  if (platform === 'console') {
    const text = sessionIcs(session, (s) => calendarDescription(s, r));
    const path = writeCalendarFile(k.deps.config.store.databasePath, session, text);
    return { type: 'text', text: r.t('sessions.calendar.file', { path }) };
  }
  const url = k.links.link(session.id, k.deps.now());
  return url ? { type: 'links', links: [{ label: r.t('sessions.calendar.link'), url }] } : undefined;
}

const sessionOf = (broadcast: Broadcast) => broadcast.id.split('.')[0] ?? '';

export function sessionKinds(k: KindDeps): Record<string, BroadcastKind> {
  const { service } = k;
  const { store } = k.deps;

  /** Everyone in some of the session's indexes; the cursor is `<part>|<last entry>`. */
  async function rsvpAudience(broadcast: Broadcast, parts: string[], cursor: string | undefined) {
    const id = sessionOf(broadcast);
    const [partText, after] = cursor
      ? [cursor.slice(0, cursor.indexOf('|')), cursor.slice(cursor.indexOf('|') + 1)]
      : ['0', ''];
    const part = Number(partText);
    const index = parts[part];
    if (index === undefined) return { recipients: [] };
    const page = await store.indexRange(index, { limit: 200, ...(after ? { after: JSON.parse(after) } : {}) });
    const recipients: Recipient[] = [];
    for (const { member: person } of page.entries) {
      const rsvp = (await service.rsvps.read(id, person)).value;
      if (!rsvp) continue;
      recipients.push({
        address: { kind: 'person', platform: rsvp.platform, person },
        label: 'session',
        ...(rsvp.timeZone ? { timeZone: rsvp.timeZone } : {}),
      });
    }
    const next = page.cursor
      ? `${part}|${JSON.stringify(page.cursor)}`
      : part + 1 < parts.length
        ? `${part + 1}|`
        : undefined;
    return { recipients, ...(next ? { next } : {}) };
  }

  /** The recipient's language and zone: from their registration (or the notice), else the deployment's. */
  async function context(broadcast: Broadcast, person: string) {
    const id = sessionOf(broadcast);
    const session = await service.repo.get(id);
    const rsvp = (await service.rsvps.read(id, person)).value;
    return { session, rsvp };
  }

  const reminder: BroadcastKind = {
    audience: (b, cursor) => {
      const id = sessionOf(b);
      return rsvpAudience(b, [sessionKeys.seated(id)], cursor);
    },
    async message(b, recipient) {
      if (recipient.address.kind !== 'person') throw new Error('a reminder goes to a person');
      const { session, rsvp } = await context(b, recipient.address.person);
      if (!session) throw new Error('session record missing');
      const r = k.renderFor(rsvp?.locale ?? session.locale, recipient.timeZone);
      const calendar = calendarBlock(k, session, recipient.address.platform, r);
      return { ...reminderMessage(session, r, calendar), locale: r.locale };
    },
  };

  const change: BroadcastKind = {
    audience: (b, cursor) => {
      const id = sessionOf(b);
      return rsvpAudience(b, [sessionKeys.seated(id), sessionKeys.offers(id), sessionKeys.waiting(id)], cursor);
    },
    async message(b, recipient) {
      if (recipient.address.kind !== 'person') throw new Error('a change goes to a person');
      const { session, rsvp } = await context(b, recipient.address.person);
      if (!session) throw new Error('session record missing');
      const r = k.renderFor(rsvp?.locale ?? session.locale, recipient.timeZone);
      const calendar = calendarBlock(k, session, recipient.address.platform, r);
      return { ...changeMessage(session, r, calendar), locale: r.locale };
    },
  };

  const notice: BroadcastKind = {
    async audience(b) {
      const found = await store.get<Notice>(sessionKeys.notice(b.id));
      if (!found) return { recipients: [] };
      return {
        recipients: [
          {
            address: { kind: 'person', platform: found.platform, person: found.person },
            label: 'session',
            ...(found.timeZone ? { timeZone: found.timeZone } : {}),
          },
        ],
      };
    },
    async message(b, recipient) {
      const found = await store.get<Notice>(sessionKeys.notice(b.id));
      if (!found || recipient.address.kind !== 'person') throw new Error('notice record missing');
      const { session, rsvp } = await context(b, found.person);
      if (!session) throw new Error('session record missing');
      const r = k.renderFor(found.locale, found.timeZone);
      return { ...noticeMessage(found.what, session, rsvp, r), locale: r.locale };
    },
  };

  return { [SESSION_KINDS.reminder]: reminder, [SESSION_KINDS.change]: change, [SESSION_KINDS.notice]: notice };
}
