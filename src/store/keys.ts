/**
 * Every store key is built here, so a person's data can be found and nothing else builds keys by hand.
 * `person` is always the keyed hash from src/privacy/pseudonym.ts, never a raw platform id.
 */
import type { Platform } from '../core/types.js';

/** How long an inbound event id is remembered for de-duplication (Slack retries for up to ~1 hour). */
export const DEDUPE_TTL_MS = 24 * 60 * 60 * 1000;

const safe = (part: string): string =>
  part.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

export const keys = {
  /** An inbound event already handled (de-duplication). */
  event: (platform: Platform, eventId: string) => `event:${platform}:${safe(eventId)}`,
  /** The person's running dialog. */
  dialog: (person: string) => `dialog:${person}`,
  /** One answer per turn of one run of a dialog: the first click wins. `run` tells runs apart (their start time). */
  turn: (person: string, dialogId: string, run: number, turn: number) => `turn:${person}:${dialogId}:${run}:${turn}`,
  /** The person blocked or removed the bot: proactive messages skip them until they write again. */
  unreachable: (person: string) => `unreachable:${person}`,
  /** Settings the person chose (language). */
  prefs: (person: string) => `prefs:${person}`,
  /** A kept check-in result. */
  result: (person: string, resultId: string) => `result:${person}:${safe(resultId)}`,
  /** The ids of a person's kept check-in results. */
  resultList: (person: string) => `results:${person}`,
  /** That a person already said whether a result was useful (one vote per result); holds no vote. */
  usefulVoted: (person: string, resultId: string) => `voted:${person}:${safe(resultId)}`,
  /** An anonymous counter (e.g. "was this useful?" votes, safety routes shown) — not person data. */
  counter: (name: string) => `counter:${safe(name)}`,
  /** Where the bot can reach this person later (proactive messages). */
  conversation: (person: string) => `conversation:${person}`,
  /** Messages the bot sent that show a result, so "forget" can delete them. */
  sentForResult: (person: string, resultId: string) => `sent:${person}:${safe(resultId)}`,
  /** A platform-side cache for this person (e.g. Slack locale from users.info). */
  platformCache: (person: string, name: string) => `cache:${person}:${safe(name)}`,
  /** An installation (Slack OAuth, Teams conversation) — not person data. */
  installation: (platform: Platform, id: string) => `install:${platform}:${safe(id)}`,
  /** A short-lived rate-limit slot or a Retry-After pause shared by replicas (e.g. one Slack post per channel per second) — not person data. */
  rate: (platform: Platform, name: string) => `rate:${platform}:${safe(name)}`,
} as const;
