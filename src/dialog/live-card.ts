/**
 * The one live card per open question. The runner remembers the message that shows the open question, so that a
 * hint can be added to that card in place (instead of posting the question again) and so that a card the dialog
 * moved away from (answered by typing, asked again further down, stopped) loses its buttons. The reference is
 * kept under the person, with the dialog's expiry, and tracked for "vergeet mij".
 */
import type { SentRef, TurnIO } from '../message/types.js';
import type { KeyValueStore } from '../store/store.js';

/** Where the message of a person's open question is remembered. */
export const liveCardKey = (person: string): string => `dialog:${person}:card`;

export interface LiveCards {
  /** The card that shows the person's open question, if one is known. */
  get(person: string): Promise<SentRef | undefined>;
  /** Remember the card just sent for the open question (kept until `expiresAt`). */
  remember(person: string, ref: SentRef | undefined, now: number, expiresAt: number): Promise<void>;
  /** Forget the live card (the dialog ended). */
  clear(person: string): Promise<void>;
}

export function createLiveCards(store: KeyValueStore): LiveCards {
  const get = (person: string) => store.get<SentRef>(liveCardKey(person));
  return {
    get,
    async remember(person, ref, now, expiresAt) {
      const key = liveCardKey(person);
      if (!ref) {
        await store.delete(key);
        return;
      }
      // Index before the write: "vergeet mij" must always find it.
      await store.track(person, key);
      await store.set(key, ref, Math.max(1, expiresAt - now));
    },
    async clear(person) {
      await store.delete(liveCardKey(person));
    },
  };
}

/** Replace an earlier card in place; a platform that refuses (deleted, too old) leaves it as it was. */
export async function replaceCard(io: TurnIO, ref: SentRef | undefined, message: Parameters<TurnIO['update']>[0]) {
  if (!ref) return;
  await io.update(message, ref).catch(() => undefined);
}
