/**
 * Signed, short-lived links at PUBLIC_URL, for what a platform cannot carry as a file (a calendar entry, the export
 * of "mijn gegevens"). A link holds a subject (an id, never a platform id), an expiry and a keyed hash of the
 * purpose, the subject and the expiry, so a link of one purpose never opens another's, and a changed expiry or
 * subject does not open at all.
 */
import { timingSafeEqual } from 'node:crypto';
import type { KeyedHash } from '../crypto/pseudonym.js';

export type LinkVerdict = 'ok' | 'expired' | 'bad';

export interface SignedLinks {
  /** The link for `subject`, valid for the lifetime from `now`; undefined without PUBLIC_URL. */
  link(subject: string, now: number): string | undefined;
  /** Whether the signature is this deployment's for `subject` and the expiry has not passed. */
  check(subject: string, expires: string | null, signature: string | null, now: number): LinkVerdict;
}

export interface SignedLinkOptions {
  hash: KeyedHash;
  publicUrl: string | undefined;
  /** The purpose word, part of the signature. */
  purpose: string;
  /** The path of a subject's link, starting with `/`. */
  path: (subject: string) => string;
  lifetimeMs: () => number;
}

export function signedLinks(options: SignedLinkOptions): SignedLinks {
  const sign = (subject: string, expires: number) => options.hash(options.purpose, subject, String(expires));
  return {
    link(subject, now) {
      if (!options.publicUrl) return undefined;
      const expires = now + options.lifetimeMs();
      const base = options.publicUrl.replace(/\/+$/, '');
      return `${base}${options.path(subject)}?e=${expires}&s=${sign(subject, expires)}`;
    },
    check(subject, expires, signature, now) {
      if (!expires || !signature || !/^\d{1,15}$/.test(expires)) return 'bad';
      const expected = Buffer.from(sign(subject, Number(expires)));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad';
      return Number(expires) < now ? 'expired' : 'ok';
    },
  };
}

/** The `e` and `s` of a request's query string. */
export function linkQuery(url: string | undefined): { expires: string | null; signature: string | null } {
  const query = new URLSearchParams((url ?? '').split('?')[1] ?? '');
  return { expires: query.get('e'), signature: query.get('s') };
}
