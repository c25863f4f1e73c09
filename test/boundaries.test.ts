import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

/** Every module specifier a file imports or re-exports (static and dynamic). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(
    /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm,
  )) {
    found.push((match[1] ?? match[2] ?? match[3]) as string);
  }
  return found;
}

const resolveFrom = (file: string, spec: string) =>
  relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\\/g, '/');
const PLATFORM_SDK = /^(@slack\/|@microsoft\/|botbuilder|botframework)/;
const COMPOSITION_ROOT = 'src/main.ts';

describe('architecture boundaries', () => {
  const core = sources('src');
  const adapters = sources('adapters');

  it('finds the sources it checks', () => {
    expect(core.length).toBeGreaterThan(10);
    expect(adapters.some((f) => f.startsWith('adapters/console/'))).toBe(true);
  });

  it('keeps platform SDKs and adapters out of src/, except the composition root', () => {
    const offenders = core
      .filter((file) => file !== COMPOSITION_ROOT)
      .flatMap((file) =>
        importsOf(file)
          .filter(
            (spec) =>
              PLATFORM_SDK.test(spec) || (spec.startsWith('.') && resolveFrom(file, spec).startsWith('adapters/')),
          )
          .map((spec) => `${file} imports ${spec}`),
      );
    expect(offenders).toEqual([]);
  });

  it('lets an adapter reach src/ only through src/core/index.ts, and never another adapter', () => {
    const offenders = adapters.flatMap((file) => {
      const own = file.split('/')[1];
      return importsOf(file)
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => ({ spec, target: resolveFrom(file, spec) }))
        .filter(
          ({ target }) =>
            (target.startsWith('src/') && target !== 'src/core/index.js') ||
            (target.startsWith('adapters/') && target.split('/')[1] !== own),
        )
        .map(({ spec }) => `${file} imports ${spec}`);
    });
    expect(offenders).toEqual([]);
  });

  it('keeps the Slack SDK in adapters/slack and the Teams SDKs in adapters/teams', () => {
    const offenders = adapters.flatMap((file) =>
      importsOf(file)
        .filter(
          (spec) =>
            (spec.startsWith('@slack/') && !file.startsWith('adapters/slack/')) ||
            (/^(@microsoft\/|botbuilder)/.test(spec) && !file.startsWith('adapters/teams/')),
        )
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps every source file at most 500 lines', () => {
    const long = [...core, ...adapters, ...sources('bench'), ...sources('manifests')]
      .map((file) => ({ file, lines: readFileSync(join(ROOT, file), 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > 500)
      .map(({ file, lines }) => `${file}: ${lines}`);
    expect(long).toEqual([]);
  });
});
