/**
 * About 3 minutes per track: every track of the check-in, walked through the dialog data and the Dutch texts,
 * stays within 8 numbered questions and 450 words to read (the consent card before the first one has a budget of
 * its own), and docs/method.md gives the real counts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  consentWords,
  MAX_CONSENT_WORDS,
  MAX_QUESTIONS,
  MAX_WORDS,
  METHOD_DOC,
  sectionOf,
  tableCells,
  trackBudget,
  tracksTable,
} from '../../../scripts/method-tables.js';

const rows = trackBudget();

describe('the check-in per track', () => {
  it('walks all four tracks', () => {
    expect(rows.map((r) => r.kind)).toEqual(['conflict', 'polarisation', 'both', 'dontKnow']);
  });

  it.each(rows.map((r) => [r.kind, r] as const))('%s: at most 8 numbered questions and 450 words', (_kind, row) => {
    expect(row.questions).toBeLessThanOrEqual(MAX_QUESTIONS);
    expect(row.words).toBeLessThanOrEqual(MAX_WORDS);
    expect(row.shortestWords).toBeLessThanOrEqual(row.words);
    // Signals, safety and the person's own place are asked on every track.
    expect(row.steps).toEqual(expect.arrayContaining(['signals', 'safety', 'participation']));
    expect(row.steps.some((s) => s === 'position' || s === 'roles')).toBe(true);
  });

  it('the consent card before the first check-in stays within about 80 words of its own', () => {
    expect(consentWords()).toBeGreaterThan(20);
    expect(consentWords()).toBeLessThanOrEqual(MAX_CONSENT_WORDS);
  });

  it('counts words the way a reader does (every choice label of every question on the path)', () => {
    const conflict = rows.find((r) => r.kind === 'conflict')!;
    const both = rows.find((r) => r.kind === 'both')!;
    // The Brandsma questions (roles instead of position, game changers) make the longer tracks longer.
    expect(both.words).toBeGreaterThan(conflict.words + 50);
    expect(conflict.interfaceWords).toBeGreaterThan(0);
  });

  it('docs/method.md gives the real counts', () => {
    const doc = readFileSync(METHOD_DOC, 'utf8');
    const shown = tableCells(sectionOf(doc, 'tracks'));
    expect(shown.length).toBeGreaterThan(2);
    expect(shown).toEqual(tableCells(tracksTable(rows)));
  });
});
