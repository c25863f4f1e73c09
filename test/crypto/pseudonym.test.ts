import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveKeys } from '../../src/crypto/key-files.js';
import { createKeyedHash, createPseudonymizer } from '../../src/crypto/pseudonym.js';
import { tempDir } from '../support/temp.js';

const user = { platform: 'slack' as const, tenantId: 'T1', userId: 'U1' };

describe('pseudonyms', () => {
  it('are stable per key, differ per key, platform, tenant and user, and never contain the raw id', () => {
    const a = createPseudonymizer('k'.repeat(32));
    const b = createPseudonymizer('q'.repeat(32));
    expect(a(user)).toBe(a({ ...user }));
    expect(a(user)).not.toBe(b(user));
    expect(a(user)).not.toBe(a({ ...user, platform: 'teams' }));
    expect(a(user)).not.toBe(a({ ...user, tenantId: 'T2' }));
    expect(a(user)).not.toBe(a({ ...user, userId: 'U2' }));
    expect(a(user)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a(user)).not.toContain('U1');
  });

  it('keyed hashes of other kinds (they start with a purpose word) never equal a pseudonym', () => {
    const key = 'k'.repeat(32);
    expect(createKeyedHash(key)('channel', 'slack', 'T1')).not.toBe(createPseudonymizer(key)(user));
  });
});

describe('keys in local mode', () => {
  const sources = (dir: string) => ({ keysDir: join(dir, '.keys'), databasePath: join(dir, 'data', 'bb.sqlite') });

  it('generates both keys once into the keys folder (mode 0600), apart from the database, and reads them back', () => {
    const dir = tempDir();
    const first = resolveKeys(sources(dir));
    expect(first.pseudonymKey).toMatch(/^[0-9a-f]{64}$/);
    expect(first.dataKeys.map((k) => k.version)).toEqual(['v1']);
    const again = resolveKeys(sources(dir));
    expect(again.pseudonymKey).toBe(first.pseudonymKey);
    expect(again.dataKeys[0]?.key.equals(first.dataKeys[0]!.key)).toBe(true);
    for (const name of ['pseudonym.key', 'data.key']) {
      expect(statSync(join(dir, '.keys', name)).mode & 0o777).toBe(0o600);
    }
    expect(existsSync(join(dir, 'data', 'pseudonym.key'))).toBe(false);
  });

  it('uses configured keys and writes nothing', () => {
    const dir = tempDir();
    const keys = resolveKeys({
      ...sources(dir),
      pseudonymKey: 'configured-key-0123456789abcdef0123',
      dataKey: 'c'.repeat(64),
    });
    expect(keys.pseudonymKey).toBe('configured-key-0123456789abcdef0123');
    expect(existsSync(join(dir, '.keys'))).toBe(false);
  });

  it('moves a key an earlier version generated beside the database, so pseudonyms stay the same', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'pseudonym.key'), `${'e'.repeat(64)}\n`);
    expect(resolveKeys(sources(dir)).pseudonymKey).toBe('e'.repeat(64));
    expect(existsSync(join(dir, 'data', 'pseudonym.key'))).toBe(false);
    expect(readFileSync(join(dir, '.keys', 'pseudonym.key'), 'utf8').trim()).toBe('e'.repeat(64));
  });

  it('refuses a damaged key file, and a keys folder that is the database folder', () => {
    const dir = tempDir();
    mkdirSync(join(dir, '.keys'));
    writeFileSync(join(dir, '.keys', 'pseudonym.key'), 'short\n');
    expect(() => resolveKeys(sources(dir))).toThrow(/damaged/);
    writeFileSync(join(dir, '.keys', 'pseudonym.key'), `${'f'.repeat(64)}\n`);
    writeFileSync(join(dir, '.keys', 'data.key'), 'not-hex\n');
    expect(() => resolveKeys(sources(dir))).toThrow(/DATA_KEY/);
    expect(() => resolveKeys({ keysDir: join(dir, 'data'), databasePath: join(dir, 'data', 'bb.sqlite') })).toThrow(
      /KEYS_DIR/,
    );
  });
});
