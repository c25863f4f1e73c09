/**
 * Settings of one insight group — a Slack workspace or a Teams tenant — that its organisers change from the chat
 * without a redeploy. Keyed by a keyed hash of the workspace or tenant id, never the id itself. Today: the
 * escalation contacts, which override ESCALATION_CONTACT_* for that workspace or tenant (the check-in's safety route
 * reads them here).
 */
import type { Config } from '../config.js';
import type { KeyedHash } from '../crypto/pseudonym.js';
import type { Platform } from '../message/types.js';
import type { KeyValueStore } from '../store/store.js';

export type EscalationContacts = Config['escalation'];

/** The keyed hash that names a workspace or tenant in keys. */
export const tenantHash = (hash: KeyedHash, platform: Platform, tenantId: string): string =>
  hash('tenant', platform, tenantId);

const escalationKey = (tenant: string) => `tenant:${tenant}:escalation`;

/** The escalation contacts for a workspace or tenant: its organisers' override, else the configuration's. */
export async function escalationContacts(
  store: KeyValueStore,
  config: Pick<Config, 'escalation'>,
  tenant: string,
): Promise<EscalationContacts> {
  return (await store.get<EscalationContacts>(escalationKey(tenant))) ?? config.escalation;
}

/** Whether the workspace or tenant has its own contacts. */
export async function hasEscalationOverride(store: KeyValueStore, tenant: string): Promise<boolean> {
  return (await store.get(escalationKey(tenant))) !== undefined;
}

/** Set (or, with undefined, remove) the workspace's or tenant's own contacts. */
export async function setEscalationContacts(
  store: KeyValueStore,
  tenant: string,
  contacts: EscalationContacts | undefined,
): Promise<void> {
  if (contacts === undefined) await store.delete(escalationKey(tenant));
  else await store.set(escalationKey(tenant), contacts);
}
