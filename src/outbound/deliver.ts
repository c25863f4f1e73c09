/**
 * `deliver(address, message)`: write first to a person or a channel on any platform, from anywhere (a job, a
 * schedule, an HTTP request) — not only inside a turn. The address book says how to reach them; the adapter
 * registry says who speaks that platform.
 */
import { RecipientUnreachableError } from '../errors.js';
import type { ChatAdapter } from '../message/adapter.js';
import type { OutboundMessage, Platform, SentRef } from '../message/types.js';
import type { Address, AddressBook } from './address-book.js';

/** The adapters by platform; the core holds one registry for the process. */
export interface AdapterRegistry {
  register(adapter: ChatAdapter): void;
  get(platform: Platform): ChatAdapter | undefined;
  all(): ChatAdapter[];
}

export function createAdapterRegistry(): AdapterRegistry {
  const adapters = new Map<Platform, ChatAdapter>();
  return {
    register(adapter) {
      if (adapters.has(adapter.platform)) throw new Error(`an adapter for ${adapter.platform} is registered twice`);
      adapters.set(adapter.platform, adapter);
    },
    get: (platform) => adapters.get(platform),
    all: () => [...adapters.values()],
  };
}

/**
 * Send one message to an address. Rejects with RecipientUnreachableError (final: unknown, unreadable under the
 * current keys, blocked or removed — the last is remembered), RateLimitedError (try again after its wait) or
 * another AdapterError (the platform failed).
 */
export type Deliver = (address: Address, message: OutboundMessage) => Promise<SentRef>;

export interface DeliverDeps {
  book: AddressBook;
  registry: AdapterRegistry;
  now?: () => number;
}

export function createDeliver(deps: DeliverDeps): Deliver {
  const now = deps.now ?? Date.now;
  return async (address, message) => {
    const adapter = deps.registry.get(address.platform);
    if (!adapter) throw new RecipientUnreachableError(address.platform, { reason: 'no-adapter' });
    const found = await deps.book.lookup(address);
    if (!found.ok) throw new RecipientUnreachableError(address.platform, { reason: found.reason });
    const { entry } = found;
    if (entry.unreachableSince !== undefined) throw new RecipientUnreachableError(address.platform);
    try {
      let conversation = entry.conversation;
      if (!conversation) {
        if (!entry.user || address.kind !== 'person') {
          throw new RecipientUnreachableError(address.platform, { reason: 'unknown' });
        }
        conversation = await adapter.openDirect(entry.user);
        await deps.book.rememberPerson(address.person, entry.user, conversation);
      }
      return await adapter.send(conversation, message);
    } catch (error) {
      if (error instanceof RecipientUnreachableError && error.reason === 'blocked') {
        await deps.book.markUnreachable(address, now());
      }
      throw error;
    }
  };
}
