/**
 * The server as `npm start` runs it: src/main.ts and the pure-JavaScript packages it uses, bundled by esbuild into
 * dist/server/ (ES modules, one chunk per lazily loaded part: the Slack and Teams adapters, the Redis store).
 *
 * Why: start-up is mostly module loading. Node resolves, reads and links every file of every package on its own
 * (several hundred files here); one bundle reads a handful. Measured in bench/teams-startup.ts against a bare Bolt
 * app, the bundle reaches /readyz in about half the time of the same code as separate files.
 *
 * Left outside the bundle and loaded from node_modules as usual (EXTERNAL below), each for a reason:
 * - better-sqlite3: a native addon;
 * - bullmq: reads its Lua scripts from files next to its own modules;
 * - pino, thread-stream, pino-pretty: pino starts worker threads from files of its own;
 * - botbuilder, @microsoft/teams-ai and the Azure/Bot Framework packages: the Teams SDK loads after start-up, in
 *   the background, and resolves its own optional parts at run time.
 *
 * Usage: `node scripts/bundle.mjs [outdir]` (default dist/server); also imported by the test that starts the bundle.
 */
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const EXTERNAL = [
  'better-sqlite3',
  'bullmq',
  'msgpackr-extract',
  'pino',
  'pino-pretty',
  'thread-stream',
  'botbuilder',
  'botbuilder-*',
  'botframework-*',
  '@microsoft/*',
  '@azure/*',
];

/** Bundle the server into `outdir` (emptied first). Resolves with the entry file's path. */
export async function bundle(outdir = join(ROOT, 'dist', 'server')) {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'src/main.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    // CommonJS packages inside an ES module bundle still call require() for Node's own modules.
    banner: {
      js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);",
    },
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  return join(outdir, 'main.js');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const entry = await bundle(process.argv[2] ? resolve(process.argv[2]) : undefined);
  process.stdout.write(`bundled: ${entry}\n`);
}
