import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { flattenKeys, LOCALES, placeholdersOf } from '../src/i18n/translator.js';

// Read at test time: several people add keys while the project grows; this must hold for the final files.
const flat = Object.fromEntries(
  LOCALES.map((locale) => [locale, flattenKeys(JSON.parse(readFileSync(`dialogs/locales/${locale}.json`, 'utf8')))]),
) as Record<(typeof LOCALES)[number], Record<string, unknown>>;

describe('locale files', () => {
  it('are non-empty objects', () => {
    for (const locale of LOCALES) expect(Object.keys(flat[locale]).length, locale).toBeGreaterThan(0);
  });

  it('nl and en have exactly the same keys', () => {
    const nl = Object.keys(flat.nl);
    const en = Object.keys(flat.en);
    expect({ onlyInNl: nl.filter((k) => !(k in flat.en)), onlyInEn: en.filter((k) => !(k in flat.nl)) }).toEqual({
      onlyInNl: [],
      onlyInEn: [],
    });
  });

  it('every message is a non-empty string', () => {
    const bad: string[] = [];
    for (const locale of LOCALES) {
      for (const [key, value] of Object.entries(flat[locale])) {
        if (typeof value !== 'string')
          bad.push(`${locale}:${key} is ${Array.isArray(value) ? 'an array' : typeof value}`);
        else if (value.trim() === '') bad.push(`${locale}:${key} is empty`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('every message parses as ICU MessageFormat', () => {
    const bad: string[] = [];
    for (const locale of LOCALES) {
      for (const [key, value] of Object.entries(flat[locale])) {
        if (typeof value !== 'string') continue;
        try {
          placeholdersOf(value);
        } catch (error) {
          bad.push(`${locale}:${key}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('nl and en use identical placeholders per key', () => {
    const bad: string[] = [];
    const safe = (value: unknown): string[] | undefined => {
      try {
        return typeof value === 'string' ? placeholdersOf(value) : undefined;
      } catch {
        return undefined; // reported by the parse test
      }
    };
    for (const key of Object.keys(flat.nl)) {
      const nl = safe(flat.nl[key]);
      const en = safe(flat.en[key]);
      if (nl && en && nl.join(',') !== en.join(',')) bad.push(`${key}: nl {${nl.join(', ')}} vs en {${en.join(', ')}}`);
    }
    expect(bad).toEqual([]);
  });

  it('has the common texts the core relies on', () => {
    for (const key of [
      'errors.generic',
      'errors.stale',
      'errors.choiceExpected.slack',
      'errors.choiceExpected.teams',
      'errors.choiceExpected.console',
      'common.pointer.slack',
      'common.notUnderstood',
      'common.progress',
    ]) {
      expect(flat.nl[key], key).toEqual(expect.any(String));
    }
  });
});

describe('locale keys in use', () => {
  it('has no orphan keys: every key is named in the code, derived from a dialog, or under a namespace built at run time', async () => {
    const { execSync } = await import('node:child_process');
    const { loadDialogs, requiredTextKeys } = await import('../src/dialog/loader.js');
    const code = execSync('git ls-files -co --exclude-standard src adapters', { encoding: 'utf8' })
      .split('\n')
      .filter((f) => /\.ts$/.test(f))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const derived = new Set([...loadDialogs('dialogs').values()].flatMap((def) => requiredTextKeys(def)));
    // Keys built from ids at run time (`learn.${topic}.title`, `result.finding.${…}`): checked by their own tests.
    const RUNTIME_NAMESPACES = ['learn.', 'result.finding.'];
    const orphans = Object.keys(flat.nl).filter((key) => {
      if (derived.has(key) || code.includes(`'${key}'`) || code.includes(`\`${key}\``)) return false;
      if (RUNTIME_NAMESPACES.some((ns) => key.startsWith(ns))) return false;
      const parent = key.slice(0, key.lastIndexOf('.'));
      return !code.includes(`${parent}.\${`);
    });
    expect(orphans).toEqual([]);
  });
});
