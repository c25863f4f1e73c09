import { describe, expect, it } from 'vitest';
import { createKeyedHash } from '../../src/crypto/pseudonym.js';
import { createSealer, parseDataKeys } from '../../src/crypto/sealer.js';
import { RecipientUnreachableError } from '../../src/errors.js';
import type { ChatAdapter } from '../../src/message/adapter.js';
import type { ConversationRef, OutboundMessage, UserRef } from '../../src/message/types.js';
import { createAddressBook } from '../../src/outbound/address-book.js';
import { createAdapterRegistry, createDeliver } from '../../src/outbound/deliver.js';
import { openMemoryStore } from '../../src/store/create-store.js';

const KEY_A = 'a'.repeat(64);
const KEY_B = 'b'.repeat(64);
const hash = createKeyedHash('address-book-test-key-0123456789abcdef');
const user: UserRef = {
  platform: 'teams',
  tenantId: 'tenant-raw-id',
  userId: 'aad-raw-id',
  extra: { serviceUrl: 'x' },
};
const dm: ConversationRef = {
  platform: 'teams',
  tenantId: 'tenant-raw-id',
  conversationId: 'a:dm-raw',
  isDirect: true,
};
const channel: ConversationRef = {
  platform: 'teams',
  tenantId: 'tenant-raw-id',
  conversationId: '19:channel-raw@thread',
  isDirect: false,
};
const message: OutboundMessage = { text: 'Hallo', blocks: [] };

function setup(now = () => Date.now()) {
  const store = openMemoryStore(now);
  const book = createAddressBook({
    store,
    sealer: createSealer(parseDataKeys(KEY_A)),
    hash,
    personTtlMs: 1000,
  });
  return { store, book };
}

/** An adapter that records sends and opened chats, and can refuse as a blocked recipient. */
function fakeAdapter(options: { blocked?: boolean } = {}) {
  const sent: ConversationRef[] = [];
  const opened: UserRef[] = [];
  const adapter: ChatAdapter = {
    platform: 'teams',
    start: async () => undefined,
    stop: async () => undefined,
    async send(to) {
      if (options.blocked) throw new RecipientUnreachableError('teams');
      sent.push(to);
      return { conversation: to, messageId: `m${sent.length}` };
    },
    update: async () => undefined,
    async openDirect(u) {
      opened.push(u);
      return { ...dm, conversationId: 'a:opened' };
    },
  };
  return { adapter, sent, opened };
}

describe('the address book', () => {
  it('seals what it stores: no platform id is readable, and the key is a pseudonym or a keyed hash', async () => {
    const { store, book } = setup();
    await book.rememberPerson('pseudo-1', user, dm);
    await book.rememberChannel(channel);
    const raw = JSON.stringify(await store.list(''));
    for (const id of ['tenant-raw-id', 'aad-raw-id', 'a:dm-raw', '19:channel-raw@thread'])
      expect(raw).not.toContain(id);
    const found = await book.lookup(book.personAddress('teams', 'pseudo-1'));
    expect(found).toEqual({ ok: true, entry: { user, conversation: dm } });
  });

  it('tracks person addresses for "vergeet mij" and lets them expire with the retention period', async () => {
    let now = 1_000_000;
    const { store, book } = setup(() => now);
    await book.rememberPerson('pseudo-1', user);
    expect(await store.keysOf('pseudo-1')).toEqual(['address:person:pseudo-1']);
    now += 1001;
    expect(await book.lookup(book.personAddress('teams', 'pseudo-1'))).toEqual({ ok: false, reason: 'unknown' });
  });

  it('reports an address sealed under another key as unreadable; delivery then fails as unreachable, no crash', async () => {
    const { store, book } = setup();
    await book.rememberChannel(channel);
    const other = createAddressBook({ store, sealer: createSealer(parseDataKeys(KEY_B)), hash, personTtlMs: 1000 });
    const address = other.channelAddress('teams', channel.conversationId);
    expect(await other.lookup(address)).toEqual({ ok: false, reason: 'unreadable' });
    const registry = createAdapterRegistry();
    registry.register(fakeAdapter().adapter);
    const error = await createDeliver({ book: other, registry })(address, message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecipientUnreachableError);
    expect((error as RecipientUnreachableError).reason).toBe('unreadable');
  });

  it('a sealed entry moved to another key does not open there', async () => {
    const { store, book } = setup();
    await book.rememberPerson('pseudo-1', user, dm);
    const sealed = await store.get<string>('address:person:pseudo-1');
    await store.set('address:person:pseudo-2', sealed);
    expect(await book.lookup(book.personAddress('teams', 'pseudo-2'))).toEqual({ ok: false, reason: 'unreadable' });
  });

  it('forgets an installation: every address of that tenant, no other', async () => {
    const { book } = setup();
    await book.rememberPerson('pseudo-1', user, dm);
    await book.rememberChannel(channel);
    const elsewhere: ConversationRef = { ...channel, tenantId: 'other-tenant', conversationId: '19:other' };
    await book.rememberChannel(elsewhere);
    expect(await book.forgetInstallation('teams', 'tenant-raw-id')).toBe(2);
    expect((await book.lookup(book.personAddress('teams', 'pseudo-1'))).ok).toBe(false);
    expect((await book.lookup(book.channelAddress('teams', channel.conversationId))).ok).toBe(false);
    expect((await book.lookup(book.channelAddress('teams', '19:other'))).ok).toBe(true);
  });
});

describe('deliver', () => {
  it('sends to a stored conversation, or opens the 1:1 chat once and remembers it', async () => {
    const { book } = setup();
    const registry = createAdapterRegistry();
    const fake = fakeAdapter();
    registry.register(fake.adapter);
    const deliver = createDeliver({ book, registry });
    await book.rememberChannel(channel);
    await deliver(book.channelAddress('teams', channel.conversationId), message);
    await book.rememberPerson('pseudo-1', user);
    await deliver(book.personAddress('teams', 'pseudo-1'), message);
    await deliver(book.personAddress('teams', 'pseudo-1'), message);
    expect(fake.opened).toHaveLength(1);
    expect(fake.sent.map((c) => c.conversationId)).toEqual(['19:channel-raw@thread', 'a:opened', 'a:opened']);
  });

  it('a blocked recipient is marked: later deliveries fail at once without calling the platform', async () => {
    const { book } = setup();
    const registry = createAdapterRegistry();
    registry.register(fakeAdapter({ blocked: true }).adapter);
    const deliver = createDeliver({ book, registry, now: () => 42 });
    await book.rememberPerson('pseudo-1', user, dm);
    const address = book.personAddress('teams', 'pseudo-1');
    await expect(deliver(address, message)).rejects.toBeInstanceOf(RecipientUnreachableError);
    expect(await book.lookup(address)).toMatchObject({ ok: true, entry: { unreachableSince: 42 } });
    // Writing again after the person came back (they opted in again) clears the mark.
    await book.rememberPerson('pseudo-1', user, dm);
    expect(await book.lookup(address)).toEqual({ ok: true, entry: { user, conversation: dm } });
  });

  it('an unknown address or a platform without adapter is unreachable, not a crash', async () => {
    const { book } = setup();
    const deliver = createDeliver({ book, registry: createAdapterRegistry() });
    const error = await deliver(book.channelAddress('slack', 'C1'), message).catch((e: unknown) => e);
    expect((error as RecipientUnreachableError).reason).toBe('no-adapter');
    const registry = createAdapterRegistry();
    registry.register(fakeAdapter().adapter);
    const unknown = await createDeliver({ book, registry })(book.channelAddress('teams', '19:x'), message).catch(
      (e: unknown) => e,
    );
    expect((unknown as RecipientUnreachableError).reason).toBe('unknown');
  });
});
