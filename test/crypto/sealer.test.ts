import { describe, expect, it } from 'vitest';
import { createSealer, parseDataKeys, SealError } from '../../src/crypto/sealer.js';

const V1 = '1'.repeat(64);
const V2 = '2'.repeat(64);

describe('the sealer (AES-256-GCM)', () => {
  it('round-trips JSON, with a fresh IV every time', () => {
    const sealer = createSealer(parseDataKeys(V1));
    const a = sealer.seal({ id: 'x' }, 'k');
    const b = sealer.seal({ id: 'x' }, 'k');
    expect(a).not.toBe(b);
    expect(a.startsWith('v1.')).toBe(true);
    expect(sealer.open(a, 'k')).toEqual({ id: 'x' });
  });

  it('never repeats an IV, also across refills of its pool of random bytes, and every value still opens', () => {
    const sealer = createSealer(parseDataKeys(V1));
    const sealed = Array.from({ length: 2_000 }, (_, n) => sealer.seal({ n }, 'k'));
    const ivs = sealed.map((s) => Buffer.from(s.slice(3), 'base64url').subarray(0, 12).toString('hex'));
    expect(new Set(ivs).size).toBe(sealed.length);
    expect(sealed.map((s) => sealer.open<{ n: number }>(s, 'k').n)).toEqual(sealed.map((_, n) => n));
  });

  it('refuses another context, a damaged value, and a key it does not hold', () => {
    const sealer = createSealer(parseDataKeys(V1));
    const sealed = sealer.seal('geheim', 'key-a');
    expect(() => sealer.open(sealed, 'key-b')).toThrow(SealError);
    const flipped = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}${sealed.slice(-1)}`;
    expect(() => sealer.open(flipped, 'key-a')).toThrow(SealError);
    expect(() => createSealer(parseDataKeys(V2)).open(sealed, 'key-a')).toThrow(SealError);
    expect(() => sealer.open('v9.AAAA', 'key-a')).toThrow(SealError);
  });

  it('tryOpen: the value, or undefined for no string, another key or a damaged value', () => {
    const sealer = createSealer(parseDataKeys(V1));
    const sealed = sealer.seal({ a: 1 }, 'key-a');
    expect(sealer.tryOpen(sealed, 'key-a')).toEqual({ a: 1 });
    expect(sealer.tryOpen(sealed, 'key-b')).toBeUndefined();
    expect(sealer.tryOpen(undefined, 'key-a')).toBeUndefined();
    expect(sealer.tryOpen(42, 'key-a')).toBeUndefined();
    expect(createSealer(parseDataKeys(V2)).tryOpen(sealed, 'key-a')).toBeUndefined();
  });

  it('seals with the newest key and still opens values of an older one', () => {
    const old = createSealer(parseDataKeys(V1)).seal({ n: 1 }, 'k');
    const rotated = createSealer(parseDataKeys(`v2:${V2},v1:${V1}`));
    expect(rotated.open(old, 'k')).toEqual({ n: 1 });
    expect(rotated.versionOf(old)).toBe('v1');
    expect(rotated.seal({ n: 2 }, 'k').startsWith('v2.')).toBe(true);
  });

  it('reads key lists and says what is wrong without echoing the key', () => {
    expect(parseDataKeys(`v2:${V2}, v1:${V1}`).map((k) => k.version)).toEqual(['v2', 'v1']);
    for (const bad of ['abc', `x1:${V1}`, `v1:${V1},v1:${V2}`, '']) {
      const error = (() => {
        try {
          parseDataKeys(bad);
        } catch (e) {
          return e as Error;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(Error);
      if (bad.length > 10) expect(error?.message).not.toContain(V1);
    }
  });
});
