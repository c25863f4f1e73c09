/**
 * An announcement: what organisers send to channels and subscribers. Its record is sealed (it holds the channel ids
 * an organiser named); keys are under `announcements:`. Delivery, counts and status are the broadcaster's.
 */
import type { Sealer } from '../../crypto/sealer.js';
import type { BroadcastStatus } from '../../delivery/types.js';
import type { Locale, Platform } from '../../message/types.js';
import type { KeyValueStore } from '../../store/store.js';

export const ANNOUNCEMENTS_FEATURE = 'announcements';
/** The broadcast kind of announcements (reminders will be another). */
export const ANNOUNCEMENT_KIND = 'announcement';

/** Who receives an announcement. */
export interface Audience {
  /** Slack channel ids (`C…`), or `T…/C…` with the workspace when the app is installed in several. */
  slackChannels?: string[];
  /** Teams conversation ids of channels the app is installed in. */
  teamsChannels?: string[];
  /** Every channel the app is in, in the organiser's workspace or tenant (from the chat). */
  allChannels?: boolean;
  subscribers?: { platform?: Platform | 'all'; topic?: string };
}

export interface Announcement {
  id: string;
  title?: string;
  text: string;
  audience: Audience;
  sendAt: number;
  sessionId?: string;
  /** A pseudonym, or `api`. */
  createdBy: string;
  /** From the chat: only this workspace or tenant (the raw id is needed to list its channels; sealed). */
  scope?: { platform: Platform; tenantId: string; tenant: string };
  locale: Locale;
  createdAt: number;
}

export const announcementKeys = {
  record: (id: string) => `announcements:a:${id}`,
  /** Announcements by send time (id as member), for the organiser's list. */
  byTime: 'announcements:by-time',
  /** What an organiser typed so far (person data, a week). */
  draft: (person: string) => `announcements:draft:${person}`,
} as const;

/** The status the API and the chat show. */
export type PublicStatus = 'scheduled' | 'sending' | 'done' | 'cancelled';
export const publicStatus = (status: BroadcastStatus): PublicStatus => (status === 'preparing' ? 'sending' : status);

export interface AnnouncementRepo {
  save(announcement: Announcement): Promise<void>;
  get(id: string): Promise<Announcement | undefined>;
}

export function createAnnouncementRepo(store: KeyValueStore, sealer: Sealer): AnnouncementRepo {
  const cache = new Map<string, Announcement>();
  return {
    async save(announcement) {
      const key = announcementKeys.record(announcement.id);
      await store.set(key, sealer.seal(announcement, key));
      await store.indexAdd(announcementKeys.byTime, announcement.id, announcement.sendAt);
    },
    async get(id) {
      const hit = cache.get(id);
      if (hit) return hit;
      const key = announcementKeys.record(id);
      const sealed = await store.get<string>(key);
      if (sealed === undefined) return undefined;
      const value = sealer.open<Announcement>(sealed, key);
      // An announcement never changes after it was made: a send job reads it from here.
      if (cache.size > 100) cache.clear();
      cache.set(id, value);
      return value;
    },
  };
}
