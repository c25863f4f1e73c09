/**
 * The case library (cases.yaml): realistic municipal cases run through diagnose() + suggestModules(), and the
 * table in docs/method.md checked against the data, so trainers read what the code really does.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/features/checkin/diagnosis.js';
import { loadModuleCatalogue, suggestModules } from '../../../src/features/checkin/modules.js';
import { loadDialogFile } from '../../../src/dialog/loader.js';
import { METHOD_DOC, casesTable, loadCases, sectionOf, tableCells } from '../../../scripts/method-tables.js';

const catalogue = loadModuleCatalogue('dialogs/modules.yaml');
const def = loadDialogFile('dialogs/checkin.yaml');
const cases = loadCases();
const FAMILIES = [
  'windpark',
  'azc',
  'budget',
  'internal',
  'participation',
  'threats',
  'integrity',
  'vertical',
  'unknown',
];

describe('the case library', () => {
  it('holds at least 30 cases, at least two of every family, with unique ids', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    for (const family of FAMILIES)
      expect(cases.filter((c) => c.family === family).length, family).toBeGreaterThanOrEqual(2);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
  });

  it('answers only with choices the dialog really offers', () => {
    const bad = cases.flatMap((c) =>
      Object.entries(c.answers).flatMap(([stepId, answer]) => {
        const step = def.steps.find((s) => s.id === stepId);
        const offered = step && 'choices' in step ? step.choices : [];
        return (Array.isArray(answer) ? answer : [answer])
          .filter((id) => !offered.includes(id))
          .map((id) => `${c.id}: ${stepId}=${id}`);
      }),
    );
    expect(bad).toEqual([]);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const d = diagnose(c.answers);
    const suggestions = suggestModules(catalogue, d).map((s) => s.module.id);
    const e = c.expect;
    expect({
      track: d.track,
      stage: d.glasl?.stage ?? null,
      range: d.glasl ? [d.glasl.from, d.glasl.to] : null,
      certainty: d.certainty,
      safety: d.flags.safety,
      firstModule: suggestions[0],
    }).toEqual({
      track: e.track,
      stage: e.stage,
      range: e.range,
      certainty: e.certainty,
      safety: e.safety,
      firstModule: e.firstModule,
    });
    for (const flag of e.flags ?? []) expect(d.flags[flag], flag).toBe(true);
    for (const module of e.absent ?? []) expect(suggestions, module).not.toContain(module);
  });

  it('is shown in docs/method.md exactly as the data says', () => {
    const doc = readFileSync(METHOD_DOC, 'utf8');
    const shown = tableCells(sectionOf(doc, 'cases'));
    expect(shown.length).toBeGreaterThan(2);
    expect(shown).toEqual(tableCells(casesTable(cases)));
  });
});
