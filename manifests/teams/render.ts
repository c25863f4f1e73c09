/**
 * Fill the Teams manifest template: `${{NAME}}` placeholders, nothing else. Shared by `npm run package:teams`
 * and the schema test, so what is tested is what is shipped.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandMenus } from '../../src/features/menu.js';

export const TEAMS_MANIFEST_DIR = dirname(fileURLToPath(import.meta.url));
export const TEAMS_TEMPLATE = join(TEAMS_MANIFEST_DIR, 'manifest.template.json');

/** What the template needs; package.ts takes these from the validated configuration. */
export interface TeamsManifestValues {
  /** MICROSOFT_APP_ID: the bot's Entra app id, also the Teams app id. */
  appId: string;
  /** PUBLIC_URL: where the bot is reachable (https). */
  publicUrl: string;
  /** Semantic version of the app package (package.json). */
  version: string;
  /** The command menus, from the route table (src/features/menu.ts). */
  commands: CommandMenus;
}

/** The rendered manifest as an object. Throws when a value is missing or a placeholder stays unfilled. */
export function renderTeamsManifest(
  values: TeamsManifestValues,
  template = readFileSync(TEAMS_TEMPLATE, 'utf8'),
): Record<string, unknown> {
  const problems: string[] = [];
  if (!/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(values.appId))
    problems.push('MICROSOFT_APP_ID: must be a GUID');
  let url: URL | undefined;
  try {
    url = new URL(values.publicUrl);
    if (url.protocol !== 'https:') problems.push('PUBLIC_URL: Teams requires https');
  } catch {
    problems.push('PUBLIC_URL: must be a full URL such as https://bubbelbreker.example.nl');
  }
  if (!/^\d+\.\d+\.\d+$/.test(values.version)) problems.push('version: must look like 1.2.3');
  if (problems.length > 0 || !url) throw new Error(`Cannot render the Teams manifest:\n  - ${problems.join('\n  - ')}`);
  const vars: Record<string, string> = {
    MICROSOFT_APP_ID: values.appId.toLowerCase(),
    PUBLIC_URL: url.toString().replace(/\/$/, ''),
    PUBLIC_HOST: url.host,
    APP_VERSION: values.version,
  };
  const filled = template.replace(/\$\{\{([A-Z_]+)\}\}/g, (match, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`Unknown placeholder ${match} in the Teams manifest template`);
    // Values go into JSON strings: escape them as JSON would.
    return JSON.stringify(value).slice(1, -1);
  });
  const manifest = JSON.parse(filled) as Record<string, unknown> & { bots: Record<string, unknown>[] };
  const list = (entries: CommandMenus['personal']) =>
    entries.map((e) => ({ title: e.title, description: e.description }));
  for (const bot of manifest.bots) {
    bot.commandLists = [
      { scopes: ['personal'], commands: list(values.commands.personal) },
      { scopes: ['team', 'groupChat'], commands: list(values.commands.shared) },
    ];
  }
  return manifest;
}
