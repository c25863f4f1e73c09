/**
 * Insight groups: one Slack workspace or one Teams tenant. The council (a workspace) and the civil service (a
 * tenant) are never mixed: every fact and every query belongs to exactly one group. A group is named in keys by the
 * keyed hash the rest of the store uses for workspaces and tenants (core/tenant-settings.ts).
 */
import { tenantHash } from '../../core/tenant-settings.js';
import type { KeyedHash } from '../../crypto/pseudonym.js';
import type { Platform } from '../../message/types.js';

/** `<platform>:<keyed hash of the workspace or tenant id>`. */
export const groupKey = (hash: KeyedHash, platform: Platform, tenantId: string): string =>
  `${platform}:${tenantHash(hash, platform, tenantId)}`;

/** The API's `group` parameter: `slack:<team id>` or `teams:<tenant id>`. */
export const GROUP_PATTERN = /^(slack|teams):([A-Za-z0-9._-]{1,100})$/;

/** The group key of an API `group` parameter, or undefined when it is not one. */
export function parseGroup(hash: KeyedHash, text: string): string | undefined {
  const match = GROUP_PATTERN.exec(text);
  return match ? groupKey(hash, match[1] as Platform, match[2] as string) : undefined;
}

/** YYYY-MM. */
export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;
