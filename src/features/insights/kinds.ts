/**
 * The broadcast kinds of insights: the monthly digest (to organisers who turned it on and still are organisers) and
 * the follow-up offer (to everyone who attended a session). The broadcaster delivers them, outside quiet hours.
 */
import { button, routeTo } from '../../core/context.js';
import type { FeatureDeps } from '../../core/feature-deps.js';
import { loadPrefs } from '../../core/prefs.js';
import type { Recipient } from '../../delivery/ledger.js';
import type { Broadcast, BroadcastKind } from '../../delivery/types.js';
import type { Locale, Platform, Route } from '../../message/types.js';
import { organiserKeys } from '../organisers/keys.js';
import type { AttendanceRecord } from '../sessions/attendance.js';
import { sessionKeys } from '../sessions/keys.js';
import type { Rsvp } from '../sessions/rsvp.js';
import type { CardOf } from './card.js';
import type { Cohorts } from './cohorts.js';
import { INSIGHTS_FEATURE, INSIGHTS_KINDS, insightsKeys } from './keys.js';
import { monthName, type RenderDeps } from './render.js';
import type { PeriodView } from './suppression.js';

/** An organiser's monthly digest. */
export interface DigestRecord {
  group: string;
  platform: Platform;
  locale: Locale;
  timeZone?: string;
  /** The keyed hash ORGANISERS names them by, when they are an organiser through it. */
  configured?: string;
}

export interface KindDeps {
  deps: FeatureDeps;
  cohorts: Cohorts;
  cardOf: CardOf;
  renderFor(locale: Locale): RenderDeps;
  report(group: string, from: string, to: string): Promise<PeriodView>;
  periodRoute(verb: string, m: string): Route;
  /** The keyed hashes of everyone in ORGANISERS. */
  configured(): Set<string>;
}

export function insightsKinds(kd: KindDeps): Record<string, BroadcastKind> {
  const { deps, cohorts, cardOf, renderFor, report, periodRoute, configured } = kd;
  const { store, config } = deps;

  const stillOrganiser = async (person: string, record: DigestRecord) =>
    (record.configured !== undefined && configured().has(record.configured)) ||
    (await store.get(organiserKeys.member(person))) !== undefined ||
    (config.localMode && record.platform === 'console');

  const digestKind: BroadcastKind = {
    async audience(_broadcast, cursor) {
      const page = await store.indexRange(insightsKeys.digests, {
        limit: 200,
        ...(cursor ? { after: JSON.parse(cursor) } : {}),
      });
      const recipients: Recipient[] = [];
      for (const { member: person } of page.entries) {
        const record = await store.get<DigestRecord>(insightsKeys.digest(person));
        // Someone who is no longer an organiser gets no digest.
        if (!record || !(await stillOrganiser(person, record))) continue;
        recipients.push({
          address: { kind: 'person', platform: record.platform, person },
          label: 'digest',
          ...(record.timeZone ? { timeZone: record.timeZone } : {}),
        });
      }
      return page.cursor ? { recipients, next: JSON.stringify(page.cursor) } : { recipients };
    },
    async message(broadcast: Broadcast, recipient) {
      const person = recipient.address.kind === 'person' ? recipient.address.person : '';
      const record = await store.get<DigestRecord>(insightsKeys.digest(person));
      const locale = record?.locale ?? config.defaultLocale;
      const r = renderFor(locale);
      const month = broadcast.id.slice(broadcast.id.indexOf('.') + 1);
      if (!record)
        return {
          text: r.t('insights.digest.off'),
          blocks: [{ type: 'text', text: r.t('insights.digest.off') }],
          locale,
        };
      const view = await report(record.group, month, month);
      const card = await cardOf(r, view, false, [
        { type: 'text', text: r.t('insights.digest.intro', { month: monthName(locale, month) }), tone: 'muted' },
        {
          type: 'buttons',
          buttons: [
            button(r.t('insights.buttons.more'), periodRoute('show', '3')),
            button(r.t('insights.buttons.digestOff'), routeTo(INSIGHTS_FEATURE, 'digest', { on: '0' })),
          ],
        },
      ]);
      return { ...card, locale };
    },
  };

  const followupKind: BroadcastKind = {
    async audience(broadcast, cursor) {
      const id = broadcast.id.slice(0, broadcast.id.indexOf('.'));
      const page = await store.indexRange(sessionKeys.attendance(id), {
        min: 1,
        max: 1,
        limit: 200,
        ...(cursor ? { after: JSON.parse(cursor) } : {}),
      });
      const recipients: Recipient[] = [];
      for (const { member: person } of page.entries) {
        const record = await store.get<AttendanceRecord>(sessionKeys.attended(id, person));
        if (!record?.attended) continue;
        const rsvp = (await store.getVersioned<Rsvp>(sessionKeys.rsvp(id, person))).value;
        recipients.push({
          address: { kind: 'person', platform: record.platform, person },
          label: 'followup',
          ...(rsvp?.timeZone ? { timeZone: rsvp.timeZone } : {}),
        });
      }
      return page.cursor ? { recipients, next: JSON.stringify(page.cursor) } : { recipients };
    },
    async message(broadcast, recipient) {
      const id = broadcast.id.slice(0, broadcast.id.indexOf('.'));
      const session = await cohorts.session(id);
      const person = recipient.address.kind === 'person' ? recipient.address.person : '';
      const locale = (await loadPrefs(store, person))?.locale ?? session?.locale ?? config.defaultLocale;
      const t = deps.translate(locale);
      const text = t('insights.followup.offer', { title: session?.title ?? '', weeks: config.insights.followupWeeks });
      return {
        text,
        locale,
        blocks: [
          { type: 'text', text },
          {
            type: 'buttons',
            buttons: [
              button(t('insights.followup.yes'), routeTo(INSIGHTS_FEATURE, 'followup', { s: id }), 'primary'),
              button(t('insights.followup.no'), routeTo(INSIGHTS_FEATURE, 'followupNo', { s: id })),
            ],
          },
        ],
      };
    },
  };

  return { [INSIGHTS_KINDS.digest]: digestKind, [INSIGHTS_KINDS.followup]: followupKind };
}
