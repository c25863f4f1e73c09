import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createTranslator,
  flattenKeys,
  placeholdersOf,
  TranslationError,
  type TranslatorWarning,
} from '../../src/i18n/translator.js';

const catalogs = {
  nl: {
    greet: { hello: 'Hallo {name}!' },
    items: '{count, plural, one {# vraag} other {# vragen}}',
    onlyDutch: 'Alleen Nederlands',
    chosen: '{n, plural, =0 {Niets gekozen} one {Eén gekozen} other {{n} gekozen door {who}}}',
    broken: 'Kapot {',
  },
  en: {
    greet: { hello: 'Hello {name}!' },
    items: '{count, plural, one {# question} other {# questions}}',
    onlyEnglish: 'Only English',
    chosen: '{n, plural, =0 {Nothing chosen} one {One chosen} other {{n} chosen by {who}}}',
    broken: 'Broken {',
  },
};

function make(extra: { strict?: boolean } = {}) {
  const warnings: TranslatorWarning[] = [];
  const tr = createTranslator({ catalogs, defaultLocale: 'nl', onWarning: (w) => warnings.push(w), ...extra });
  return { tr, warnings };
}

describe('createTranslator', () => {
  it('fills placeholders in nested keys addressed with dots', () => {
    const { tr } = make();
    expect(tr.t('nl', 'greet.hello', { name: 'Sanne' })).toBe('Hallo Sanne!');
    expect(tr.t('en', 'greet.hello', { name: 'Sam' })).toBe('Hello Sam!');
  });

  it('applies Dutch and English plural rules', () => {
    const { tr } = make();
    expect(tr.t('nl', 'items', { count: 1 })).toBe('1 vraag');
    expect(tr.t('nl', 'items', { count: 0 })).toBe('0 vragen');
    expect(tr.t('nl', 'items', { count: 7 })).toBe('7 vragen');
    expect(tr.t('en', 'items', { count: 1 })).toBe('1 question');
    expect(tr.t('en', 'items', { count: 2 })).toBe('2 questions');
    expect(tr.t('en', 'chosen', { n: 0, who: 'x' })).toBe('Nothing chosen');
    expect(tr.t('nl', 'chosen', { n: 3, who: 'jou' })).toBe('3 gekozen door jou');
  });

  it('falls back to English when a key is missing in Dutch, and says so', () => {
    const { tr, warnings } = make();
    expect(tr.t('nl', 'onlyEnglish')).toBe('Only English');
    expect(warnings).toEqual([{ kind: 'missing-in-locale', locale: 'nl', key: 'onlyEnglish' }]);
  });

  it('does not fall back from English to Dutch: a key missing in English is missing', () => {
    const { tr, warnings } = make();
    expect(tr.t('en', 'onlyDutch')).toBe('onlyDutch');
    expect(warnings).toEqual([{ kind: 'missing-key', locale: 'en', key: 'onlyDutch' }]);
  });

  it('returns the key itself for an unknown key and warns without throwing', () => {
    const { tr, warnings } = make();
    expect(tr.t('nl', 'no.such.key', { secret: 'CANARY' })).toBe('no.such.key');
    expect(warnings).toEqual([{ kind: 'missing-key', locale: 'nl', key: 'no.such.key' }]);
    expect(JSON.stringify(warnings)).not.toContain('CANARY');
  });

  it('does not treat a namespace object as a message', () => {
    const { tr } = make();
    expect(tr.has('nl', 'greet')).toBe(false);
    expect(tr.t('nl', 'greet')).toBe('greet');
  });

  it('returns the key when a message cannot be rendered (bad syntax or missing variable)', () => {
    const { tr, warnings } = make();
    expect(tr.t('nl', 'broken')).toBe('broken');
    expect(tr.t('en', 'greet.hello')).toBe('greet.hello');
    expect(warnings.map((w) => w.kind)).toEqual(['format-error', 'format-error']);
  });

  it('survives a warning hook that throws', () => {
    const tr = createTranslator({
      catalogs,
      onWarning: () => {
        throw new Error('hook');
      },
    });
    expect(tr.t('nl', 'missing')).toBe('missing');
  });

  it('throws in strict mode', () => {
    const { tr } = make({ strict: true });
    expect(() => tr.t('nl', 'missing')).toThrow(TranslationError);
    expect(() => tr.t('en', 'greet.hello')).toThrow(TranslationError);
  });

  it('caches the compiled formatter per locale and key', () => {
    const { tr } = make();
    // Same key, different values and locales: the cache must not mix them up.
    expect(tr.t('nl', 'items', { count: 1 })).toBe('1 vraag');
    expect(tr.t('en', 'items', { count: 1 })).toBe('1 question');
    expect(tr.t('nl', 'items', { count: 2 })).toBe('2 vragen');
  });

  it('has() looks at the locale itself, without fallback', () => {
    const { tr } = make();
    expect(tr.has('nl', 'onlyDutch')).toBe(true);
    expect(tr.has('en', 'onlyDutch')).toBe(false);
    expect(tr.has('nl', 'onlyEnglish')).toBe(false);
  });

  it('bind() gives a Translate for one locale', () => {
    const { tr } = make();
    const t = tr.bind('en');
    expect(t('greet.hello', { name: 'Ali' })).toBe('Hello Ali!');
    expect(tr.bind('nl')('items', { count: 2 })).toBe('2 vragen');
  });

  it('lists keys per locale', () => {
    const { tr } = make();
    expect(tr.keys('en')).toEqual(['broken', 'chosen', 'greet.hello', 'items', 'onlyEnglish']);
  });

  it('reads the real locale files from a dialogs directory', () => {
    const tr = createTranslator({ dir: 'dialogs', defaultLocale: 'nl' });
    expect(tr.t('nl', 'common.progress', { current: 2, left: 5 })).toBe('Vraag 2 · nog 5 vragen');
    expect(tr.t('nl', 'common.progressAbout', { current: 7, left: 1 })).toBe('Vraag 7 · nog ongeveer 1 vraag');
    expect(tr.t('en', 'common.progress', { current: 2, left: 5 })).toBe('Question 2 · 5 questions to go');
  });

  it('renders every message of the real files in strict mode', () => {
    const tr = createTranslator({ dir: 'dialogs', strict: true });
    for (const locale of ['nl', 'en'] as const) {
      const messages = flattenKeys(JSON.parse(readFileSync(`dialogs/locales/${locale}.json`, 'utf8')));
      expect(tr.keys(locale)).toEqual(Object.keys(messages).sort());
      for (const [key, message] of Object.entries(messages)) {
        // A number fits every argument kind: plain, number, plural, and select's required `other`.
        const vars = Object.fromEntries(placeholdersOf(String(message)).map((name) => [name, 2]));
        expect(tr.t(locale, key, vars), `${locale}:${key}`).not.toBe('');
      }
    }
  });
});

describe('flattenKeys and placeholdersOf', () => {
  it('flattens nested objects into dotted keys and keeps non-object leaves', () => {
    expect(flattenKeys({ a: { b: 'x', c: { d: 'y' } }, e: '', f: [1], g: 3 })).toEqual({
      'a.b': 'x',
      'a.c.d': 'y',
      e: '',
      f: [1],
      g: 3,
    });
    expect(flattenKeys('not an object')).toEqual({});
  });

  it('finds simple, typed, plural, select and nested arguments', () => {
    expect(placeholdersOf('Geen variabelen')).toEqual([]);
    expect(placeholdersOf('Vraag {current} van {total}')).toEqual(['current', 'total']);
    expect(placeholdersOf('{n, number} op {d, date, short}')).toEqual(['d', 'n']);
    expect(placeholdersOf('{count, plural, one {# ding} other {# dingen van {owner}}}')).toEqual(['count', 'owner']);
    expect(placeholdersOf('{role, select, chair {voorzitter {name}} other {lid}}')).toEqual(['name', 'role']);
    expect(placeholdersOf("Dat is '{'letterlijk'}' en don't")).toEqual([]);
  });

  it('treats angle brackets as text, not tags', () => {
    expect(placeholdersOf('a <b>{x}</b> c')).toEqual(['x']);
  });

  it('throws on a message that does not parse', () => {
    expect(() => placeholdersOf('Open {')).toThrow();
    expect(() => placeholdersOf('{n, plural, one {x}}')).toThrow();
  });
});
