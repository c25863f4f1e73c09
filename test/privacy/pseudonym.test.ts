import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPseudonymizer, resolvePseudonymKey } from '../../src/privacy/pseudonym.js';

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

  it('local mode: generates a key once beside the database and reads it back after a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-key-'));
    const first = resolvePseudonymKey(undefined, join(dir, 'bb.sqlite'));
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(resolvePseudonymKey(undefined, join(dir, 'bb.sqlite'))).toBe(first);
    expect(readFileSync(join(dir, 'pseudonym.key'), 'utf8').trim()).toBe(first);
    expect(resolvePseudonymKey('configured-key-0123456789abcdef0123', join(dir, 'bb.sqlite'))).toBe(
      'configured-key-0123456789abcdef0123',
    );
  });

  it('refuses a damaged (too short) key file rather than hashing with a weak key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-key-'));
    writeFileSync(join(dir, 'pseudonym.key'), 'short\n');
    expect(() => resolvePseudonymKey(undefined, join(dir, 'bb.sqlite'))).toThrow(/damaged/);
  });
});
