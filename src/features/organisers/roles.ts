/**
 * Who is an organiser: someone named in ORGANISERS (`slack:<user id>`, `teams:<Entra object id>`), or someone an
 * organiser of the same workspace or tenant let in from the chat. An organiser acts for the workspace or tenant they
 * are in. Only keyed hashes are compared and stored: a chat-added organiser is their pseudonym.
 */
import type { Config } from '../../config.js';
import type { KeyedHash } from '../../crypto/pseudonym.js';
import type { UserRef } from '../../message/types.js';
import type { KeyValueStore } from '../../store/store.js';
import { organiserKeys } from './keys.js';

/** A chat-added organiser. */
export interface MemberRecord {
  /** The workspace or tenant (keyed hash). */
  tenant: string;
  /** Who let them in: a pseudonym. */
  addedBy: string;
  addedAt: number;
}

export interface Roles {
  isOrganiser(user: UserRef, person: string): Promise<boolean>;
  /** True when the person is an organiser through ORGANISERS (cannot be removed from the chat). */
  isConfigured(user: UserRef): boolean;
}

export function createRoles(
  config: Pick<Config, 'organisers' | 'localMode'>,
  store: KeyValueStore,
  hash: KeyedHash,
): Roles {
  // The menus are built from a partial configuration (no organisers): nobody is configured then.
  const configured = new Set((config.organisers ?? []).map((o) => hash('organiser', o.platform, o.userId)));
  const isConfigured = (user: UserRef) => configured.has(hash('organiser', user.platform, user.userId));
  return {
    isConfigured,
    async isOrganiser(user, person) {
      // The terminal chat is a local try-out of one person: they may try everything, organising included.
      if (user.platform === 'console' && config.localMode) return true;
      if (isConfigured(user)) return true;
      return (await store.get<MemberRecord>(organiserKeys.member(person))) !== undefined;
    },
  };
}
