/**
 * The right of access: everything kept about the person as one JSON document. Built when the person asks, from every
 * key in their person index (every family: values, counters, versioned values, indexes) plus what each feature adds
 * in its own words (`personData.export`). Values sealed at rest (how to reach the person) are opened for the person
 * themself. On Slack and Teams the document is kept sealed for a short while under a random id, tracked under the
 * person (so "vergeet mij" takes it too), and offered as a signed link at PUBLIC_URL; the terminal writes a file,
 * which "vergeet mij" deletes as well.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { TurnContext } from '../../core/context.js';
import type { FeatureDeps } from '../../core/feature-deps.js';
import type { Sealer } from '../../crypto/sealer.js';
import type { Translate } from '../../message/types.js';
import { HttpError } from '../../http/errors.js';
import type { RouteSpec } from '../../http/router.js';
import { linkQuery, type SignedLinks, signedLinks } from '../../http/signed-link.js';

/** How long an export link works (and the sealed document is kept). */
export const EXPORT_LINK_MS = 15 * 60 * 1000;

export const exportKey = (id: string) => `privacy:export:${id}`;

export interface PersonExport {
  about: string;
  madeAt: string;
  /** The person's pseudonym: the code every key uses instead of their platform id. */
  code: string;
  /** What each feature says it keeps, in its own terms. */
  features: Record<string, unknown>;
  /** Every stored entry, by key, as kept. */
  stored: { key: string; value?: unknown; counter?: number; versioned?: unknown; index?: unknown[] }[];
}

/** A stored string sealed at rest (`v1.<base64url>`): opened for the person, else marked in their language. */
function openIfSealed(value: unknown, key: string, t: Translate, sealer?: Sealer): unknown {
  if (typeof value !== 'string' || !/^v\d+\.[A-Za-z0-9_-]{20,}$/.test(value)) return value;
  return sealer?.tryOpen(value, key) ?? t('common.myData.encrypted');
}

export async function buildExport(ctx: TurnContext, sealer?: Sealer): Promise<PersonExport> {
  const stored: PersonExport['stored'] = [];
  for (const key of await ctx.store.keysOf(ctx.person)) {
    if (key.startsWith('privacy:export:')) continue;
    const entry: PersonExport['stored'][number] = { key };
    const value = await ctx.store.get(key);
    if (value !== undefined) entry.value = openIfSealed(value, key, ctx.t, sealer);
    const counter = await ctx.store.counter(key);
    if (counter !== 0) entry.counter = counter;
    const versioned = await ctx.store.getVersioned(key);
    if (versioned.version !== 0) entry.versioned = versioned.value;
    const index = await ctx.store.indexRange(key, { limit: 1000 });
    if (index.entries.length > 0) entry.index = index.entries;
    stored.push(entry);
  }
  const features: Record<string, unknown> = {};
  for (const feature of ctx.features) {
    const data = feature.personData;
    if (!data) continue;
    // A feature's own export, else its lines of "mijn gegevens" in the person's language.
    const part = data.export ? await data.export(ctx) : await data.describe(ctx);
    if (part !== undefined && !(Array.isArray(part) && part.length === 0)) features[feature.id] = part;
  }
  return {
    about: ctx.t('common.myData.exportAbout'),
    madeAt: new Date(ctx.now).toISOString(),
    code: ctx.person,
    features,
    stored,
  };
}

export function exportLinks(deps: Pick<FeatureDeps, 'hash' | 'config'>): SignedLinks {
  return signedLinks({
    hash: deps.hash,
    publicUrl: deps.config.publicUrl,
    purpose: 'my-data',
    path: (id) => `/my-data/${id}.json`,
    lifetimeMs: () => EXPORT_LINK_MS,
  });
}

/** Keep the document sealed for the link's lifetime and return the link (undefined without PUBLIC_URL). */
export async function offerExport(
  ctx: TurnContext,
  deps: Pick<FeatureDeps, 'hash' | 'config' | 'sealer'>,
  links: SignedLinks,
  document: PersonExport,
): Promise<string | undefined> {
  const id = randomBytes(16).toString('base64url');
  const link = links.link(id, ctx.now);
  if (!link) return undefined;
  const key = exportKey(id);
  await ctx.store.track(ctx.person, key);
  await ctx.store.set(key, deps.sealer.seal(document, key), EXPORT_LINK_MS);
  return link;
}

/** GET /my-data/<id>.json?e=…&s=…: the document for a signed link that has not expired; else 404 or 410. */
export function exportRoute(deps: Pick<FeatureDeps, 'store' | 'sealer' | 'now'>, links: SignedLinks): RouteSpec {
  return {
    method: 'GET',
    path: '/my-data/:file',
    bodyLimit: 0,
    async handler(req, res, params) {
      const id = /^([A-Za-z0-9_-]{22})\.json$/.exec(params.file ?? '')?.[1];
      const { expires, signature } = linkQuery(req.url);
      const verdict = id ? links.check(id, expires, signature, deps.now()) : 'bad';
      if (verdict === 'expired') throw new HttpError(410, 'link_expired');
      const key = id && verdict === 'ok' ? exportKey(id) : undefined;
      const sealed = key ? await deps.store.get<string>(key) : undefined;
      if (!key || sealed === undefined) throw new HttpError(404, 'not_found');
      // Sealed under a DATA_KEY that was removed since: the document cannot be read any more; ask for a new one.
      const document = deps.sealer.tryOpen(sealed, key);
      if (document === undefined) throw new HttpError(410, 'export_unreadable');
      const body = Buffer.from(JSON.stringify(document, null, 2), 'utf8');
      res.writeHead(200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Disposition': 'attachment; filename="mijn-gegevens.json"',
        'Content-Length': body.length,
        'Cache-Control': 'no-store',
        'Referrer-Policy': 'no-referrer',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}

const exportFolder = (databasePath: string) => resolve(join(dirname(databasePath), 'my-data'));
const EXPORT_FILE = /^mijn-gegevens-\d{4}-\d{2}-\d{2}\.json$/;

/** The terminal: write the document beside the database (owner-only) and return its path. */
export function writeExportFile(databasePath: string, document: PersonExport): string {
  const folder = exportFolder(databasePath);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const path = join(folder, `mijn-gegevens-${document.madeAt.slice(0, 10)}.json`);
  writeFileSync(path, JSON.stringify(document, null, 2), { encoding: 'utf8', mode: 0o600 });
  return path;
}

/** The terminal's export files of this person (their `code` is the person's pseudonym). */
export function exportFilesOf(databasePath: string, person: string): string[] {
  const folder = exportFolder(databasePath);
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => EXPORT_FILE.test(name));
  } catch {
    return []; // no folder: nothing was exported here
  }
  return names
    .map((name) => join(folder, name))
    .filter((path) => {
      try {
        return (JSON.parse(readFileSync(path, 'utf8')) as { code?: unknown }).code === person;
      } catch {
        return false; // not an export of ours (changed by hand): left alone
      }
    });
}

/** "Vergeet mij" in the terminal: the person's export files go too; returns how many were deleted. */
export function removeExportFiles(databasePath: string, person: string): number {
  let removed = 0;
  for (const path of exportFilesOf(databasePath, person)) {
    rmSync(path, { force: true });
    removed += 1;
  }
  return removed;
}
