/**
 * An adapter host for adapter-only tests: the core's de-duplication as a claim in a store, turns handed to a
 * sink, and a vault in memory. Tests with the real core use `core.hostFor(platform)` instead.
 */
import { createKeyedHash } from '../../src/crypto/pseudonym.js';
import type { AdapterHost } from '../../src/message/adapter.js';
import type { InboundSink } from '../../src/message/types.js';
import type { KeyValueStore } from '../../src/store/store.js';

const hash = createKeyedHash('test-host-hash-key-0123456789abcdef0123');
const DAY_MS = 86_400_000;

export function testHost(sink: InboundSink, store: KeyValueStore): AdapterHost {
  const vault = new Map<string, unknown>();
  const accept = (platform: string, id: string) => store.claim(`event:${platform}:${hash(id)}`, DAY_MS);
  return {
    accept,
    finish: async () => undefined,
    handle: sink,
    async receive(event, io) {
      if (!(await accept(event.platform, event.id))) return false;
      await sink(event, io);
      return true;
    },
    isCommand: () => false,
    vault: {
      get: async <T>(name: string) => vault.get(name) as T | undefined,
      set: async (name, value) => void vault.set(name, value),
      delete: async (name) => void vault.delete(name),
    },
    defaultLocale: 'nl',
  };
}
