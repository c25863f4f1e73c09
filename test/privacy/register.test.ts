/**
 * The register in docs/privacy.md matches the code: every retention setting, every family of keys the code builds,
 * every SQLite table and every Redis family of docs/store.md is named there. A new kind of data without a line in
 * the register fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const register = readFileSync(join(ROOT, 'docs/privacy.md'), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(ROOT, dir, f), 'utf8'));
}
// Store keys are built under src/ only; adapters build event ids, which are hashed before they become keys.
const code = sources('src');

/** Template-literal prefixes that label something other than a store key. */
const NOT_KEYS = new Set(['slack:', 'teams:', 'topic:', 'useful:']);

describe('the privacy register (docs/privacy.md)', () => {
  it('names every retention setting of the configuration', () => {
    const config = readFileSync(join(ROOT, 'src/config.ts'), 'utf8');
    const settings = [...config.matchAll(/^ {2}([A-Z][A-Z_]+):/gm)]
      .map((m) => m[1] as string)
      .filter((name) => /RETENTION|_DAYS$|_HOURS$/.test(name) && name !== 'QUIET_HOURS');
    expect(settings).toEqual(expect.arrayContaining(['RETENTION_DAYS', 'SESSION_RETENTION_DAYS']));
    for (const name of settings) expect(register, name).toContain(`\`${name}\``);
  });

  it('names every family of keys the code builds', () => {
    const families = new Set<string>();
    for (const text of code) {
      for (const m of text.matchAll(/`((?:[a-z]+(?:-[a-z]+)*:){1,2})\$\{/g)) families.add(m[1] as string);
      // Fixed keys: an index or log with a name of its own.
      for (const m of text.matchAll(/(?:INDEX|audit|timeline)\s*[:=]\s*'([a-z]+:[a-z]+)'/g))
        families.add(m[1] as string);
    }
    for (const label of NOT_KEYS) families.delete(label);
    expect(families.size).toBeGreaterThan(30);
    expect([...families].filter((family) => !register.includes(`\`${family}`))).toEqual([]);
  });

  it('names every SQLite table and every Redis family of docs/store.md', () => {
    const tables = new Set(
      code.flatMap((text) => [...text.matchAll(/CREATE TABLE IF NOT EXISTS (\w+)/g)].map((m) => m[1] as string)),
    );
    expect(tables.size).toBeGreaterThan(5);
    for (const table of tables) expect(register, table).toContain(`\`${table}\``);
    const store = readFileSync(join(ROOT, 'docs/store.md'), 'utf8');
    const redis = new Set([...store.matchAll(/`(bb:[a-z]*:{0,2})(?:<[a-z]+>|version)?`/g)].map((m) => m[1] as string));
    expect(redis.size).toBeGreaterThan(5);
    for (const family of redis) expect(register, family).toContain(`\`${family}`);
  });
});
