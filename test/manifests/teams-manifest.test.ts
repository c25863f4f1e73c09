/**
 * The Teams app package: the rendered manifest against the official schema bundled in @microsoft/app-manifest
 * (draft-04, no network: fetch is stubbed to throw), the command menu, and the icons Teams requires.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ErrorObject, Options } from 'ajv-draft-04';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../support/temp.js';
import { packageTeamsApp } from '../../manifests/teams/package.js';
import { renderTeamsManifest, TEAMS_MANIFEST_DIR } from '../../manifests/teams/render.js';
import { MAX_MENU_COMMANDS, productCommandMenus } from '../../src/features/menu.js';

const require = createRequire(import.meta.url);
// Both are CommonJS with `exports.default`; require keeps the typing simple under NodeNext.
interface AjvLike {
  compile(schema: unknown): ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
}
const Ajv04 = (require('ajv-draft-04') as { default: new (options: Options) => AjvLike }).default;
const addFormats = (require('ajv-formats') as { default: (ajv: AjvLike, formats: string[]) => void }).default;
const values = {
  appId: '11111111-2222-4333-8444-555555555555',
  publicUrl: 'https://bubbelbreker.example.nl',
  version: '0.1.0',
  commands: productCommandMenus({ modulesPath: 'dialogs/modules.yaml', dialogsDir: 'dialogs' }),
};

beforeAll(() => {
  vi.stubGlobal('fetch', async (url: unknown) => {
    throw new Error(`network disabled in tests (wanted ${String(url)})`);
  });
});
afterAll(() => vi.unstubAllGlobals());

function schemaErrors(manifest: Record<string, unknown>): string[] {
  const version = String(manifest.manifestVersion);
  const root = join(dirname(require.resolve('@microsoft/app-manifest/package.json')), 'build', 'json-schemas', 'teams');
  const schema = JSON.parse(readFileSync(join(root, `v${version}`, 'MicrosoftTeams.schema.json'), 'utf8'));
  const ajv = new Ajv04({ allErrors: true, strict: false });
  addFormats(ajv, ['uri', 'email', 'regex']);
  const validate = ajv.compile(schema);
  return validate(manifest)
    ? []
    : (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message}`);
}

describe('Teams manifest', () => {
  const manifest = renderTeamsManifest(values);

  it('uses a manifest version between 1.19 and 1.30 whose schema is bundled', () => {
    const [major, minor] = String(manifest.manifestVersion).split('.').map(Number);
    expect(major).toBe(1);
    expect(minor).toBeGreaterThanOrEqual(19);
    expect(minor).toBeLessThanOrEqual(30);
    expect(manifest.$schema).toBe(
      `https://developer.microsoft.com/en-us/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`,
    );
  });

  it('is valid against the official schema (ajv, draft-04)', () => {
    expect(schemaErrors(manifest)).toEqual([]);
  });

  it('is valid through AppManifestUtils too, offline', async () => {
    const { AppManifestUtils } = await import('@microsoft/app-manifest');
    expect(await AppManifestUtils.validateAgainstSchema(manifest as never)).toEqual([]);
  });

  it('the schema check does fail a broken manifest', () => {
    const broken = { ...manifest, id: 'not-a-guid', accentColor: 'blue', name: { short: 'x'.repeat(31), full: 'x' } };
    expect(schemaErrors(broken).length).toBeGreaterThanOrEqual(3);
  });

  it('fills ids and URLs from the values, leaving no placeholder', () => {
    const text = JSON.stringify(manifest);
    expect(text).not.toContain('${{');
    expect(manifest.id).toBe(values.appId);
    expect((manifest.bots as { botId: string }[])[0]!.botId).toBe(values.appId);
    expect(manifest.validDomains).toEqual(['bubbelbreker.example.nl']);
    expect((manifest.developer as { privacyUrl: string }).privacyUrl).toBe('https://bubbelbreker.example.nl/privacy');
  });

  it('has the command menus of the route table: what everyone may use, at most 10 per scope', () => {
    const lists = (manifest.bots as { commandLists: { scopes: string[]; commands: { title: string }[] }[] }[])[0]!
      .commandLists;
    const personal = lists.find((l) => l.scopes.includes('personal'))!;
    expect(personal.commands.map((c) => c.title)).toEqual([
      'checkin',
      'leer',
      'mijn resultaten',
      'help',
      'taal',
      'mijn gegevens',
      'vergeet mij',
      'abonneren',
    ]);
    const shared = lists.find((l) => l.scopes.includes('team'))!;
    expect(shared.commands.map((c) => c.title)).toEqual(['checkin', 'leer', 'help', 'abonneren']);
    for (const list of lists) expect(list.commands.length).toBeLessThanOrEqual(MAX_MENU_COMMANDS);
  });

  it('refuses bad values instead of shipping them', () => {
    expect(() => renderTeamsManifest({ ...values, appId: 'abc' })).toThrow(/MICROSOFT_APP_ID/);
    expect(() => renderTeamsManifest({ ...values, publicUrl: 'http://insecure.example.nl' })).toThrow(/https/);
  });
});

describe('Teams icons', () => {
  const read = (name: string) => PNG.sync.read(readFileSync(join(TEAMS_MANIFEST_DIR, name)));

  it('color.png is 192×192', () => {
    const png = read('color.png');
    expect([png.width, png.height]).toEqual([192, 192]);
  });

  it('outline.png is 32×32, white on transparent', () => {
    const png = read('outline.png');
    expect([png.width, png.height]).toEqual([32, 32]);
    let opaque = 0;
    let transparent = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b, a] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!, png.data[i + 3]!];
      if (a === 0) transparent++;
      else {
        opaque++;
        expect([r, g, b]).toEqual([255, 255, 255]);
      }
    }
    expect(transparent).toBeGreaterThan(100);
    expect(opaque).toBeGreaterThan(100);
  });
});

describe('npm run package:teams', () => {
  it('builds a zip with the rendered manifest and both icons', async () => {
    const out = await packageTeamsApp(values, join(tempDir('bb-pkg-'), 'app.zip'));
    const zip = await JSZip.loadAsync(readFileSync(out));
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const inside = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(inside.id).toBe(values.appId);
    expect(schemaErrors(inside)).toEqual([]);
  });
});
