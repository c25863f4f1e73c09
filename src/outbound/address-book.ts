/**
 * How to reach a person or a channel on every platform, remembered so a feature can write first — from a job, a
 * schedule or an HTTP request, after a restart or on another replica. What is stored (platform user ids, Teams
 * conversation references with their serviceUrl, Slack DM and channel ids) is sealed with DATA_KEY; the keys are
 * a pseudonym or a keyed hash, so nothing here can be linked back to a platform id without a key.
 *
 * Person addresses are person data (tracked for "vergeet mij"); every address is also listed under its
 * installation (the Slack workspace or Teams tenant), so removing the app removes that installation's addresses.
 */
import type { KeyedHash } from '../crypto/pseudonym.js';
import { type Sealer, SealError } from '../crypto/sealer.js';
import type { ConversationRef, Platform, UserRef } from '../message/types.js';
import type { KeyValueStore } from '../store/store.js';

/** Where a delivery goes: a person (by pseudonym) or a channel (by keyed hash), on one platform. */
export type Address =
  | { kind: 'person'; platform: Platform; person: string }
  | { kind: 'channel'; platform: Platform; channel: string };

/** What is sealed in an address entry. */
export interface AddressEntry {
  /** The person, so a 1:1 chat can be opened when none is known (persons only). */
  user?: UserRef;
  /** The conversation to post in: the person's 1:1 chat, or the channel. */
  conversation?: ConversationRef;
  /** ms since epoch: the bot was blocked or removed there; deliveries are final-failed until it is reachable again. */
  unreachableSince?: number;
}

/**
 * As sealed: the entry and, for a person, when it expires. The expiry lives inside the sealed value because the
 * store cannot tell the time left, and re-sealing under a new DATA_KEY must not give the address a new full term.
 */
interface SealedEntry extends AddressEntry {
  /** ms since epoch; absent for channels (no expiry) and for person entries written by an older version. */
  expiresAt?: number;
}

/** An address looked up: its entry, or why there is none. */
export type Lookup = { ok: true; entry: AddressEntry } | { ok: false; reason: 'unknown' | 'unreadable' };

export interface AddressBookDeps {
  store: KeyValueStore;
  sealer: Sealer;
  hash: KeyedHash;
  /** How long a person's address is kept after they were last active (the retention period). */
  personTtlMs: number;
  /**
   * Keyed hashes under older PSEUDONYM_KEYs (a rotation), newest first: an installation's list is named by a keyed
   * hash, so a person's address written before the rotation is listed under the old name.
   */
  olderHashes?: readonly KeyedHash[];
  /** The clock (tests); default Date.now. */
  now?: () => number;
}

export interface AddressBook {
  personAddress(platform: Platform, person: string): Address;
  /** The address of a channel by its platform id (what an organiser names). */
  channelAddress(platform: Platform, channelId: string): Address;
  /** Remember how to reach a person: who they are and, when known, their 1:1 conversation. */
  rememberPerson(person: string, user: UserRef, conversation?: ConversationRef): Promise<Address>;
  /** Remember a channel the bot was installed in or can post to. */
  rememberChannel(conversation: ConversationRef): Promise<Address>;
  lookup(address: Address): Promise<Lookup>;
  /** Note that the bot can no longer write there (blocked, removed). */
  markUnreachable(address: Address, since: number): Promise<void>;
  forget(address: Address): Promise<boolean>;
  /**
   * A person's erasure: their address and its member in the installation's list (a shared index, which the person
   * index does not reach); true when an address was kept.
   */
  forgetPerson(person: string, platform: Platform, tenantId: string): Promise<boolean>;
  /**
   * A PSEUDONYM_KEY rotation moves a person from `from` to `to`: their address's member in the installation's list (a
   * shared index the person index does not reach) is renamed, and taken out of the list's name under an older key.
   * The address itself moves with the person's keys.
   */
  rekeyPerson(from: string, to: string): Promise<void>;
  /** The app was removed from a workspace or tenant: forget every address listed under it; returns how many. */
  forgetInstallation(platform: Platform, tenantId: string): Promise<number>;
  /** The channels remembered in a workspace or tenant, a page at a time (an organiser's "all channels"). */
  channels(platform: Platform, tenantId: string, after?: string): Promise<{ addresses: Address[]; next?: string }>;
}

/** A person's address key: the same on every platform (a pseudonym names the platform already). */
const personAddressKey = (person: string) => `address:person:${person}`;

/** Store key of an address; also the sealed value's context, so an entry moved to another key does not open. */
export function addressKey(address: Address): string {
  return address.kind === 'person'
    ? personAddressKey(address.person)
    : `address:channel:${address.platform}:${address.channel}`;
}

/** Page size when an installation's addresses are removed. */
const PAGE = 200;

export function createAddressBook(deps: AddressBookDeps): AddressBook {
  const { store, sealer, hash } = deps;
  const now = deps.now ?? Date.now;
  const installationIndex = (platform: Platform, tenantId: string, keyed: KeyedHash = hash) =>
    `address-installation:${platform}:${keyed('installation', platform, tenantId)}`;

  /** `expiresAt` (ms since epoch) for a person's address; a channel's never expires. */
  async function write(address: Address, entry: AddressEntry, tenantId: string, expiresAt?: number): Promise<void> {
    const key = addressKey(address);
    const ttlMs = expiresAt === undefined ? undefined : expiresAt - now();
    if (ttlMs !== undefined && ttlMs <= 0) return; // its term is over: the store lets it go
    // Indexed before the write, so a crash in between never leaves an address that cleanup cannot find.
    if (address.kind === 'person') await store.track(address.person, key);
    await store.indexAdd(installationIndex(address.platform, tenantId), key, 0);
    const sealed: SealedEntry = expiresAt === undefined ? entry : { ...entry, expiresAt };
    await store.set(key, sealer.seal(sealed, key), ttlMs);
  }

  const tenantOf = (entry: AddressEntry) => entry.conversation?.tenantId ?? entry.user?.tenantId ?? '';

  async function read(address: Address): Promise<Lookup> {
    const key = addressKey(address);
    const sealed = await store.get<string>(key);
    if (sealed === undefined) return { ok: false, reason: 'unknown' };
    try {
      const { expiresAt, ...entry } = sealer.open<SealedEntry>(sealed, key);
      // Sealed under an older DATA_KEY: sealed again under the current one now that it is touched, with the time it
      // had left (a person without a known expiry is left as is: their next activity seals it anew).
      const known = address.kind === 'channel' || expiresAt !== undefined;
      if (sealer.versionOf(sealed) !== sealer.currentVersion && known)
        await write(address, entry, tenantOf(entry), expiresAt);
      return { ok: true, entry };
    } catch (error) {
      // A changed DATA_KEY or a damaged row: the recipient is unreachable, the delivery must not crash.
      if (error instanceof SealError) return { ok: false, reason: 'unreadable' };
      throw error;
    }
  }

  const CHANNEL_PREFIX = 'address:channel:';
  const book: AddressBook = {
    personAddress: (platform, person) => ({ kind: 'person', platform, person }),
    channelAddress: (platform, channelId) => ({
      kind: 'channel',
      platform,
      channel: hash('channel', platform, channelId),
    }),

    async rememberPerson(person, user, conversation) {
      const address = book.personAddress(user.platform, person);
      // Active now: kept for the retention period from now.
      const expiresAt = now() + deps.personTtlMs;
      await write(address, { user, ...(conversation ? { conversation } : {}) }, user.tenantId, expiresAt);
      return address;
    },

    async rememberChannel(conversation) {
      const address = book.channelAddress(conversation.platform, conversation.conversationId);
      await write(address, { conversation }, conversation.tenantId);
      return address;
    },

    lookup: read,

    async markUnreachable(address, since) {
      const key = addressKey(address);
      const entry = sealer.tryOpen<SealedEntry>(await store.get(key), key);
      if (!entry) return;
      const { expiresAt, ...rest } = entry;
      // Not the person's activity: the address keeps the time it had left (a full term when that is unknown).
      const until = address.kind === 'channel' ? undefined : (expiresAt ?? now() + deps.personTtlMs);
      await write(address, { ...rest, unreachableSince: since }, tenantOf(rest), until);
    },

    forget: (address) => store.delete(addressKey(address)),

    async forgetPerson(person, platform, tenantId) {
      const key = addressKey(book.personAddress(platform, person));
      const [removed] = await Promise.all([
        store.delete(key),
        store.indexRemove(installationIndex(platform, tenantId), key),
      ]);
      return removed;
    },

    async rekeyPerson(from, to) {
      const key = personAddressKey(from);
      const entry = sealer.tryOpen<SealedEntry>(await store.get(key), key);
      const platform = entry?.user?.platform ?? entry?.conversation?.platform;
      if (!entry || !platform) return;
      const tenant = tenantOf(entry);
      const moved = personAddressKey(to);
      const current = installationIndex(platform, tenant);
      // Listed under the current name of the list (renamed in place), and no longer under an older one: a list is
      // named by a keyed hash, so what was written before the rotation is listed under the list's old name.
      if (!(await store.indexRenameMember(current, key, moved))) await store.indexAdd(current, moved, 0);
      for (const older of deps.olderHashes ?? [])
        await store.indexRemove(installationIndex(platform, tenant, older), key);
    },

    async forgetInstallation(platform, tenantId) {
      const index = installationIndex(platform, tenantId);
      let removed = 0;
      for (;;) {
        const page = await store.indexRange(index, { limit: PAGE });
        if (page.entries.length === 0) break;
        for (const { member } of page.entries) {
          if (await store.delete(member)) removed += 1;
          await store.indexRemove(index, member);
        }
      }
      return removed;
    },

    async channels(platform, tenantId, after) {
      const page = await store.indexRange(installationIndex(platform, tenantId), {
        limit: PAGE,
        ...(after ? { after: { member: after, score: 0 } } : {}),
      });
      const addresses: Address[] = [];
      for (const { member } of page.entries) {
        if (!member.startsWith(`${CHANNEL_PREFIX}${platform}:`)) continue;
        addresses.push({
          kind: 'channel',
          platform,
          channel: member.slice(CHANNEL_PREFIX.length + platform.length + 1),
        });
      }
      return { addresses, ...(page.cursor ? { next: page.cursor.member } : {}) };
    },
  };
  return book;
}
