/** Keys of the organisers feature; persons are pseudonyms, workspaces and tenants keyed hashes. */
export const ORGANISERS_FEATURE = 'organisers';

export const organiserKeys = {
  /** A person added as organiser from the chat (their pseudonym names their workspace or tenant too). */
  member: (person: string) => `organisers:member:${person}`,
  /** The organisers added in one workspace or tenant, by when they were added. */
  members: (tenant: string) => `organisers:members:${tenant}`,
  /** A one-time invitation code (its keyed hash), valid for a day. */
  invite: (codeHash: string) => `organisers:invite:${codeHash}`,
  /** The audit log: every organiser action, by time. */
  audit: 'organisers:audit',
} as const;
