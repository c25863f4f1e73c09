import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import IntlMessageFormat from 'intl-messageformat';
// intl-messageformat's own parser (its dependency): the same grammar `t()` renders with.
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';

import type { Locale, MessageVars, Translate } from '../message/types.js';

/** The supported locales, default first. */
export const LOCALES: readonly Locale[] = ['nl', 'en'];
const FALLBACK_LOCALE: Locale = 'en';

/** Something a translator noticed; carries keys only, never variables (they may hold user text). */
export interface TranslatorWarning {
  kind: 'missing-in-locale' | 'missing-key' | 'format-error' | 'not-a-string';
  locale: Locale;
  key: string;
}

export interface TranslatorConfig {
  /** The dialogs directory; messages are read from `<dir>/locales/{nl,en}.json`. */
  dir?: string;
  /** More dialog folders whose `locales/` add keys (tests add their own sample dialog this way). */
  extraDirs?: readonly string[];
  /** Messages given directly (tests); wins over `dir`. */
  catalogs?: Partial<Record<Locale, unknown>>;
  defaultLocale?: Locale;
  /** Called when a key falls back or cannot be rendered. */
  onWarning?: (warning: TranslatorWarning) => void;
  /** Throw instead of falling back (useful in tests); never set in production. */
  strict?: boolean;
}

/** Looks text keys up per locale; the only resolver of user-facing text. */
export interface Translator {
  readonly defaultLocale: Locale;
  /** The message for `key` in `locale`, English when missing there, the key itself when missing everywhere. */
  t(locale: Locale, key: string, vars?: MessageVars): string;
  /** True when `key` exists in `locale` itself (no fallback). */
  has(locale: Locale, key: string): boolean;
  /** A `Translate` fixed to one locale. */
  bind(locale: Locale): Translate;
  /** Every key of a locale, sorted. */
  keys(locale: Locale): string[];
}

/** Error raised only in strict mode. */
export class TranslationError extends Error {
  constructor(
    readonly warning: TranslatorWarning,
    options?: { cause?: unknown },
  ) {
    super(`Translation ${warning.kind}: ${warning.locale}:${warning.key}`, options);
    this.name = 'TranslationError';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Flatten nested JSON into dotted keys → leaf values (leaves are anything but a plain object). */
export function flattenKeys(obj: unknown, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isPlainObject(obj)) return out;
  for (const [name, value] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (isPlainObject(value)) Object.assign(out, flattenKeys(value, key));
    else out[key] = value;
  }
  return out;
}

/** Parser options shared by parsing and rendering: chat text has no XML-like tags. */
const PARSE_OPTIONS = { ignoreTag: true } as const;

/** Parse an ICU message; throws on a syntax error. */
export function parseMessage(message: string): MessageFormatElement[] {
  return parse(message, PARSE_OPTIONS);
}

/** The argument names a message uses (`{name}`, `{count, plural, …}`, nested ones), sorted. Throws on bad syntax. */
export function placeholdersOf(message: string): string[] {
  const names = new Set<string>();
  const walk = (elements: MessageFormatElement[]): void => {
    for (const el of elements) {
      switch (el.type) {
        case TYPE.argument:
        case TYPE.number:
        case TYPE.date:
        case TYPE.time:
          names.add(el.value);
          break;
        case TYPE.select:
        case TYPE.plural:
          names.add(el.value);
          for (const option of Object.values(el.options)) walk(option.value);
          break;
        case TYPE.tag:
          walk(el.children);
          break;
        default:
          break;
      }
    }
  };
  walk(parseMessage(message));
  return [...names].sort();
}

function readCatalog(dir: string, locale: Locale): unknown {
  return JSON.parse(readFileSync(join(dir, 'locales', `${locale}.json`), 'utf8'));
}

/** Build a translator over the nl/en locale files; messages compile on first use and stay cached. */
export function createTranslator(config: TranslatorConfig): Translator {
  const defaultLocale = config.defaultLocale ?? 'nl';
  const messages = new Map<Locale, Map<string, unknown>>();
  for (const locale of LOCALES) {
    const source = config.catalogs ? (config.catalogs[locale] ?? {}) : readCatalog(config.dir ?? './dialogs', locale);
    const flat = flattenKeys(source);
    for (const dir of config.extraDirs ?? []) Object.assign(flat, flattenKeys(readCatalog(dir, locale)));
    messages.set(locale, new Map(Object.entries(flat)));
  }
  const compiled = new Map<string, IntlMessageFormat>();

  const warn = (warning: TranslatorWarning): void => {
    if (config.strict) throw new TranslationError(warning);
    try {
      config.onWarning?.(warning);
    } catch {
      // A failing warning hook must not break the reply.
    }
  };

  const lookup = (locale: Locale, key: string): string | undefined => {
    const value = messages.get(locale)?.get(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      warn({ kind: 'not-a-string', locale, key });
      return undefined;
    }
    return value;
  };

  const format = (locale: Locale, key: string, source: string, vars?: MessageVars): string => {
    // Plain text (no arguments, no ICU quoting) needs no formatter: most messages are like this.
    if (!source.includes('{') && !source.includes("'")) return source;
    const cacheKey = `${locale}\u0000${key}`;
    let formatter = compiled.get(cacheKey);
    if (!formatter) {
      formatter = new IntlMessageFormat(source, locale, undefined, PARSE_OPTIONS);
      compiled.set(cacheKey, formatter);
    }
    const result = formatter.format(vars);
    // With ignoreTag the result is always a string; the library's type also allows rich-text arrays.
    return Array.isArray(result) ? result.join('') : String(result);
  };

  const t = (locale: Locale, key: string, vars?: MessageVars): string => {
    let useLocale = locale;
    let source = lookup(locale, key);
    if (source === undefined && locale !== FALLBACK_LOCALE) {
      source = lookup(FALLBACK_LOCALE, key);
      if (source !== undefined) {
        useLocale = FALLBACK_LOCALE;
        warn({ kind: 'missing-in-locale', locale, key });
      }
    }
    if (source === undefined) {
      warn({ kind: 'missing-key', locale, key });
      return key;
    }
    try {
      return format(useLocale, key, source, vars);
    } catch (error) {
      if (config.strict) throw new TranslationError({ kind: 'format-error', locale: useLocale, key }, { cause: error });
      warn({ kind: 'format-error', locale: useLocale, key });
      return key;
    }
  };

  return {
    defaultLocale,
    t,
    has: (locale, key) => typeof messages.get(locale)?.get(key) === 'string',
    bind: (locale) => (key, vars) => t(locale, key, vars),
    keys: (locale) => [...(messages.get(locale)?.keys() ?? [])].sort(),
  };
}
