/**
 * `npm run package:teams`: the Teams app package (manifest.json + both icons) as dist/bubbelbreker-teams.zip,
 * ready to upload in Teams (Apps → Manage your apps → Upload an app) or the Teams admin center.
 * Values come from the validated configuration (MICROSOFT_APP_ID, PUBLIC_URL), never straight from process.env.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import JSZip from 'jszip';
import { loadPackagingConfig } from '../../src/config.js';
import { productCommandMenus } from '../../src/features/menu.js';
import { renderTeamsManifest, TEAMS_MANIFEST_DIR, type TeamsManifestValues } from './render.js';

export const DEFAULT_ZIP = resolve(TEAMS_MANIFEST_DIR, '..', '..', 'dist', 'bubbelbreker-teams.zip');

/** Build the zip; returns its path. */
export async function packageTeamsApp(values: TeamsManifestValues, out = DEFAULT_ZIP): Promise<string> {
  const manifest = renderTeamsManifest(values);
  const zip = new JSZip();
  // A fixed date keeps the zip byte-identical for identical input.
  const date = new Date('2026-01-01T00:00:00Z');
  zip.file('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`, { date });
  for (const icon of ['color.png', 'outline.png'])
    zip.file(icon, readFileSync(join(TEAMS_MANIFEST_DIR, icon)), { date });
  mkdirSync(dirname(out), { recursive: true });
  const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'UNIX' });
  writeFileSync(out, bytes);
  return out;
}

async function cli(): Promise<void> {
  // Only what a package holds: no password or key is needed to build it.
  const config = loadPackagingConfig();
  const { appId, publicUrl } = config;
  const missing = [!appId && 'MICROSOFT_APP_ID', !publicUrl && 'PUBLIC_URL'].filter(Boolean);
  if (missing.length > 0 || !appId || !publicUrl) {
    process.stderr.write(
      `package:teams needs ${missing.join(' and ')} (in .env or the environment); see docs/teams.md\n`,
    );
    process.exit(1);
  }
  const pkg = JSON.parse(readFileSync(resolve(TEAMS_MANIFEST_DIR, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  const out = await packageTeamsApp({ appId, publicUrl, version: pkg.version, commands: productCommandMenus(config) });
  process.stdout.write(`Teams app package written to ${out}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cli().catch((error: unknown) => {
    process.stderr.write(`package:teams: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
