/**
 * Moving a person to their current pseudonym after a PSEUDONYM_KEY rotation. The resolver (src/crypto/pseudonym.ts)
 * finds a person with data under an older key's pseudonym `from`; before their turn runs, everything tracked for
 * `from` moves to the current pseudonym `to`, so the turn, "mijn gegevens" and "vergeet mij" find it there, and the
 * old key can be retired once the data of people who never came back has expired.
 *
 * The order keeps every step findable, so a move cut short (a crash, a store failure) is finished by the person's
 * next event — `from` keeps its index until its last key has moved:
 * 1. what keys cannot reach — members of shared indexes (seats, lines, subscriber lists, an address's installation
 *    list), queued jobs, ids derived from the pseudonym — through the address book and each feature's
 *    `personData.rekey`, while the person's data is still under `from`; each step is safe to run again;
 * 2. each tracked key, one at a time: tracked under `to`, moved in one atomic step (`store.rename`) to the same key
 *    with `to` for `from`, then taken out of `from`'s index. On the way the old pseudonym inside a value becomes the
 *    new one, and a sealed value is opened under its old key and sealed again under its new one (the key is its AAD).
 * What is under `to` already wins over what is still under `from` (store.rename), so a second move of the same
 * person — another replica, a retry — loses nothing.
 */
import type { Logger } from 'pino';
import type { PersonMover } from '../crypto/pseudonym.js';
import { looksSealed, type Sealer } from '../crypto/sealer.js';
import type { AddressBook } from '../outbound/address-book.js';
import type { KeyValueStore } from '../store/store.js';
import type { Feature } from './context.js';

export interface PersonMoverDeps {
  store: KeyValueStore;
  sealer: Sealer;
  book: Pick<AddressBook, 'rekeyPerson'>;
  features: readonly Feature[];
  log: Logger;
}

/** A move reads `from`'s index again for keys tracked while it ran (a job still carrying the old pseudonym). */
const MAX_ROUNDS = 3;

/** One move per person at a time in this process: a second event of the same person waits for the first's. */
export function createPersonMover(deps: PersonMoverDeps): PersonMover {
  const running = new Map<string, Promise<void>>();
  return (from, to) => {
    let move = running.get(from);
    if (!move) {
      move = movePerson(deps, from, to).finally(() => running.delete(from));
      running.set(from, move);
    }
    return move;
  };
}

async function movePerson(deps: PersonMoverDeps, from: string, to: string): Promise<void> {
  let moved = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const keys = await deps.store.keysOf(from);
    if (keys.length === 0) break;
    await deps.book.rekeyPerson(from, to);
    for (const feature of deps.features) await feature.personData?.rekey?.(from, to);
    for (const key of keys) await moveKey(deps, { from, to, key, target: key.split(from).join(to) });
    moved += keys.length;
  }
  // The fact only: never a pseudonym, a key or a value.
  if (moved > 0) deps.log.info({ keys: moved }, 'person re-keyed');
}

interface KeyMove {
  from: string;
  to: string;
  key: string;
  /** The key with `to` for `from`; the same key when it does not name the person (an event's record). */
  target: string;
}

/** Tracked under `to` before the data moves, untracked from `from` after: "vergeet mij" always finds it. */
async function moveKey(deps: PersonMoverDeps, move: KeyMove): Promise<void> {
  await deps.store.track(move.to, move.target);
  const held = await deps.store.rename(move.key, move.target, (value) => rewriteValue(deps.sealer, value, move));
  // A key that stays where it is and holds nothing (expired, or taken over by a feature's rekey) is nobody's.
  if (!held && move.target === move.key) await deps.store.untrack(move.to, move.key);
  await deps.store.untrack(move.from, move.key);
}

/**
 * A value on its way to its new key: the old pseudonym inside replaced; a sealed value opened under its old key and
 * sealed under its new one. A sealed value that does not open (a data key no longer held, damage) is dropped: it
 * could never be read again under either key. A value that stays where it is and does not change is returned as it
 * was, so nothing is written.
 */
function rewriteValue(sealer: Sealer, value: unknown, move: KeyMove): unknown {
  if (!looksSealed(value)) return replacePseudonym(value, move.from, move.to);
  const opened = sealer.tryOpen<unknown>(value, move.key);
  if (opened === undefined) return undefined;
  const replaced = replacePseudonym(opened, move.from, move.to);
  const unchanged = move.target === move.key && replaced === opened;
  if (unchanged && sealer.versionOf(value) === sealer.currentVersion) return value;
  return sealer.seal(replaced, move.target);
}

/**
 * Every occurrence of the pseudonym `from` in a JSON value (strings and object keys) replaced by `to`; the same value
 * (by reference) when there is none. A pseudonym is a 22-character keyed hash, so it never occurs by chance.
 */
export function replacePseudonym(value: unknown, from: string, to: string): unknown {
  if (typeof value === 'string') return value.includes(from) ? value.split(from).join(to) : value;
  if (Array.isArray(value)) {
    const next = value.map((item) => replacePseudonym(item, from, to));
    return next.some((item, i) => item !== value[i]) ? next : value;
  }
  if (value === null || typeof value !== 'object') return value;
  let changed = false;
  const next: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const newKey = replacePseudonym(key, from, to) as string;
    const newItem = replacePseudonym(item, from, to);
    changed ||= newKey !== key || newItem !== item;
    next[newKey] = newItem;
  }
  return changed ? next : value;
}
