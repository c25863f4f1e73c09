/**
 * Store keys the core owns. `person` is always a pseudonym (src/crypto/pseudonym.ts); anything derived from a
 * platform id (an event id, an adapter's record name) goes in as a keyed hash, never as the id itself.
 * Features build their own keys under their own id (`checkin:…`), so one feature's keys never match another's.
 */
import type { Platform } from '../message/types.js';

export const coreKeys = {
  /** Settings the person chose (language). */
  prefs: (person: string) => `prefs:${person}`,
  /** A welcome already sent in a conversation (keyed hash), so the twin events Teams sends for one install greet once. */
  welcomed: (hashedConversation: string) => `welcomed:${hashedConversation}`,
  /** An adapter's own encrypted record (Slack OAuth installation, …): `hashedName` is a keyed hash of its name. */
  vault: (platform: Platform, hashedName: string) => `vault:${platform}:${hashedName}`,
} as const;
