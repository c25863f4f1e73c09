/**
 * Store keys the core owns. `person` is always a pseudonym (src/crypto/pseudonym.ts); anything derived from a
 * platform id (an event id, an adapter's record name) goes in as a keyed hash, never as the id itself.
 * Features build their own keys under their own id (`checkin:…`), so one feature's keys never match another's.
 */
import type { Platform } from '../message/types.js';
import { DAY_MS } from '../lib/time.js';

/** How long an inbound event id is remembered for de-duplication (Slack redelivers for up to about an hour). */
export const DEDUPE_TTL_MS = DAY_MS;

export const coreKeys = {
  /** An inbound event already accepted: `hashedId` is the keyed hash of the platform's event id. */
  event: (platform: Platform, hashedId: string) => `event:${platform}:${hashedId}`,
  /** Settings the person chose (language). */
  prefs: (person: string) => `prefs:${person}`,
  /** The language the platform knows for the person, so it is asked once. */
  platformLocale: (person: string) => `cache:${person}:locale`,
  /** A welcome already sent in a conversation (keyed hash), so the twin events Teams sends for one install greet once. */
  welcomed: (hashedConversation: string) => `welcomed:${hashedConversation}`,
  /** An adapter's own encrypted record (Slack OAuth installation, …): `hashedName` is a keyed hash of its name. */
  vault: (platform: Platform, hashedName: string) => `vault:${platform}:${hashedName}`,
} as const;
