import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { RouteSpec } from './router.js';
import { sendJson } from './send.js';

/** Content types by extension; anything else is served as bytes to download. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.pdf': 'application/pdf',
  '.woff2': 'font/woff2',
};

export interface StaticConfig {
  /** URL prefix, e.g. `/images`: `/images/logo.png` serves `<dir>/logo.png`. */
  prefix: string;
  /** The folder served. Only regular files inside it (after resolving links) are ever read. */
  dir: string;
  /** Cache-Control max-age in seconds (default 300). */
  maxAgeS?: number;
}

/**
 * A GET route serving files from a folder at a path prefix: content type by extension, ETag and Last-Modified
 * (answering 304 to a matching If-None-Match / If-Modified-Since), no directory listing, no dotfiles, nothing
 * outside the folder. Anything missing or refused is the same 404, so probing learns nothing.
 */
export function staticRoute(config: StaticConfig): RouteSpec {
  const prefix = config.prefix.replace(/\/+$/, '');
  if (!prefix.startsWith('/')) throw new Error(`Static prefix "${config.prefix}" must start with "/"`);
  const cacheControl = `public, max-age=${config.maxAgeS ?? 300}`;
  // The folder's real path, found once (a missing folder is looked for again next time).
  let root: Promise<string> | undefined;

  return {
    method: 'GET',
    path: `${prefix}/*`,
    bodyLimit: 0,
    handler: async (req, res, params) => {
      root ??= realpath(config.dir).catch((error: unknown) => {
        root = undefined;
        throw error;
      });
      const file = await resolveInside(root, params['*'] ?? '');
      if (!file) return notFound(res);
      const etag = `W/"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
      const lastModified = new Date(Math.floor(file.mtimeMs / 1000) * 1000);
      res.setHeader('ETag', etag);
      res.setHeader('Last-Modified', lastModified.toUTCString());
      res.setHeader('Cache-Control', cacheControl);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      if (notModified(req, etag, lastModified)) {
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, {
        'Content-Type': CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': file.size,
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      try {
        await pipeline(createReadStream(file.path), res);
      } catch (error) {
        // A client that goes away mid-file is not a server error; a read error is (the router cuts the answer off).
        if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
      }
    },
  };
}

/** The regular file `rest` names inside `root`, or undefined for anything outside it, hidden, or missing. */
async function resolveInside(
  rootPath: Promise<string>,
  rest: string,
): Promise<{ path: string; size: number; mtimeMs: number } | undefined> {
  // Refused outright: NUL bytes, backslashes (a separator elsewhere) and dot segments ("..", ".env", ".git").
  if (rest.includes('\0') || rest.includes('\\')) return undefined;
  const segments = rest.split('/').filter((s) => s.length > 0);
  if (segments.length === 0 || segments.some((s) => s.startsWith('.'))) return undefined;
  try {
    const root = await rootPath;
    const candidate = join(root, ...segments);
    // Links are followed, and what they point at must still be inside the folder.
    const real = await realpath(candidate);
    if (!real.startsWith(root + sep)) return undefined;
    const info = await stat(real);
    return info.isFile() ? { path: real, size: info.size, mtimeMs: info.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

function notModified(req: IncomingMessage, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined)
    return ifNoneMatch === '*' || ifNoneMatch.split(',').some((tag) => weak(tag.trim()) === weak(etag));
  const since = Date.parse(req.headers['if-modified-since'] ?? '');
  return Number.isFinite(since) && lastModified.getTime() <= since;
}

const weak = (tag: string): string => (tag.startsWith('W/') ? tag.slice(2) : tag);

function notFound(res: ServerResponse): void {
  sendJson(res, 404, { error: 'not_found' });
}
