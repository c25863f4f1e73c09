import type { Locale, OutboundMessage, SentRef } from '../message/types.js';
import type { Counts, Recipient, RecipientRecord } from './ledger.js';

/** Where a broadcast stands. `preparing` expands the audience; cancelling is possible only while `scheduled`. */
export type BroadcastStatus = 'scheduled' | 'preparing' | 'sending' | 'done' | 'cancelled';

/** One broadcast: an announcement now, a reminder later. What it says is the kind's own record. */
export interface Broadcast {
  id: string;
  kind: string;
  status: BroadcastStatus;
  /** ms since epoch: not before this. */
  sendAt: number;
  createdAt: number;
  /** Who made it: a pseudonym, or `api`. */
  createdBy: string;
  /** The language of the organiser's progress messages. */
  locale: Locale;
  /** Where the audience expansion stands (resumes after a restart); absent before the first page. */
  cursor?: string;
  /** The organiser's progress message, sealed (it holds platform ids). */
  progress?: string;
  /** The counts last shown in the progress message, so an unchanged state is not sent again. */
  shown?: string;
  finishedAt?: number;
}

/** What the progress message and the final report show. */
export interface ProgressState {
  counts: Counts;
  done: boolean;
  /** Recipients with a final failure, labelled by the audience part that named them (at most a few dozen). */
  failures: RecipientRecord[];
}

/** What a kind of broadcast decides: who receives it and what they read. */
export interface BroadcastKind {
  /** One page of recipients from `cursor` (absent: from the start); no `next` means this was the last page. */
  audience(broadcast: Broadcast, cursor: string | undefined): Promise<{ recipients: Recipient[]; next?: string }>;
  /** The message for one recipient (in their language where the kind knows it). */
  message(broadcast: Broadcast, recipient: RecipientRecord): Promise<OutboundMessage>;
  /** The organiser's progress message and, when `done`, the final report. */
  progress?(broadcast: Broadcast, state: ProgressState): Promise<OutboundMessage>;
}

/** A new broadcast. */
export interface NewBroadcast {
  id: string;
  kind: string;
  sendAt: number;
  createdBy: string;
  locale: Locale;
  /** The organiser's progress message to update in place (a message the bot sent them). */
  progress?: SentRef;
}
