import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../support/temp.js';
import { diagnose } from '../../../src/features/checkin/diagnosis.js';
import type { Diagnosis } from '../../../src/features/checkin/model.js';
import {
  loadModuleCatalogue,
  matchesCondition,
  parseModuleCatalogue,
  suggestModules,
  whyOf,
  type ModuleCatalogue,
} from '../../../src/features/checkin/modules.js';
import { DataFileError } from '../../../src/errors.js';
import { createTranslator } from '../../../src/i18n/translator.js';

const SEED = 'dialogs/modules.yaml';
const translator = createTranslator({ dir: 'dialogs', strict: true });

function errorOf(fn: () => unknown): DataFileError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DataFileError) return error;
    throw error;
  }
  throw new Error('expected a DataFileError');
}

const mod = (id: string, rules: string, extra = '') => `
  - id: ${id}
    title: { nl: "T ${id}", en: "T ${id}" }
    summary: { nl: "S", en: "S" }
    covers: { nl: ["c"], en: ["c"] }
    suggestWhen: ${rules}
${extra}`;
const catalogueText = (...modules: string[]) => `version: 1\nmodules:${modules.join('')}`;
const SAFETY_RULE = '[{ when: { flag: safety }, priority: 1 }]';

describe('the seed catalogue', () => {
  const catalogue = loadModuleCatalogue(SEED);

  it('loads M1-M8 with nl and en text and http(s) links', () => {
    expect(catalogue.modules.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']);
    for (const m of catalogue.modules) {
      expect(m.title.nl.length * m.title.en.length).toBeGreaterThan(0);
      expect(m.covers.nl.length).toBe(m.covers.en.length);
      for (const link of m.links) expect(link.url).toMatch(/^https?:\/\//);
    }
  });

  it('never falls back to the participation module for a case inside the organisation', () => {
    const unfilledFirst = {
      ...catalogue,
      modules: catalogue.modules.map((m) =>
        ['m1', 'm2', 'm3', 'm4'].includes(m.id) ? { ...m, toBeCompletedByOrganiser: true } : m,
      ),
    };
    const inside = suggestModules(unfilledFirst, diagnose({ participation: 'internal' }));
    expect(inside.map((s) => s.module.id)).not.toContain('m6');
    expect(inside.length).toBeGreaterThanOrEqual(1);
  });

  it('marks the Dialoog Aanpak Polarisatie as to be completed by the organiser, and only that one', () => {
    expect(catalogue.modules.filter((m) => m.toBeCompletedByOrganiser).map((m) => m.id)).toEqual(['m5']);
  });

  it('every derived reason key exists in both locales', () => {
    const samples: Diagnosis[] = [
      diagnose({
        kind: 'both',
        signals: ['images'],
        roles: ['pushers', 'joiners', 'scapegoat', 'meAbove'],
        voices: ['youth'],
        participation: 'codecide',
        delivered: 'inform',
        gameChangers: ['none'],
        safety: ['unsure'],
      }),
      diagnose({ kind: 'conflict', signals: ['ultimatums'], safety: ['threats', 'doxxing'] }),
      diagnose({ kind: 'dontKnow', participation: 'notYet', roles: ['meSide'] }),
      diagnose({ kind: 'polarisation', signals: ['vertical'], participation: 'unclear' }),
      diagnose({ kind: 'dontKnow', signals: ['dontKnow'], roles: ['dontKnow'], voices: ['dontKnow'] }),
      diagnose({}),
    ];
    for (const d of samples) {
      for (const s of suggestModules(catalogue, d, 8)) {
        expect(translator.has('nl', s.why.key), s.why.key).toBe(true);
        expect(translator.has('en', s.why.key), s.why.key).toBe(true);
      }
    }
  });
});

describe('broken catalogues', () => {
  it('names the file and the path inside it', () => {
    const text = catalogueText(mod('m1', '[{ when: { flag: safety }, priority: "high" }]'));
    const error = errorOf(() => parseModuleCatalogue('organiser/modules.yaml', text));
    expect(error.file).toBe('organiser/modules.yaml');
    expect(error.message).toContain('organiser/modules.yaml');
    expect(error.issues.join('\n')).toContain('modules[0].suggestWhen[0].priority');
  });

  it('rejects unknown rule tests and flags, naming where', () => {
    const unknownTest = errorOf(() =>
      parseModuleCatalogue(
        'f.yaml',
        catalogueText(mod('m1', `[{ when: { moonPhase: full }, priority: 1 }, ${SAFETY_RULE.slice(1, -1)}]`)),
      ),
    );
    expect(unknownTest.issues.join('\n')).toMatch(/modules\[0\]\.suggestWhen\[0\]\.when/);
    const unknownFlag = errorOf(() =>
      parseModuleCatalogue('f.yaml', catalogueText(mod('m1', '[{ when: { flag: angry }, priority: 1 }]'))),
    );
    expect(unknownFlag.issues.join('\n')).toContain('modules[0].suggestWhen[0].when.flag');
  });

  it('requires one completed module that answers the safety flag', () => {
    const error = errorOf(() =>
      parseModuleCatalogue('f.yaml', catalogueText(mod('m1', '[{ when: { always: true }, priority: 1 }]'))),
    );
    expect(error.issues.join('\n')).toContain('flag: safety');
    const open = errorOf(() =>
      parseModuleCatalogue('f.yaml', catalogueText(mod('m1', SAFETY_RULE, '    toBeCompletedByOrganiser: true'))),
    );
    expect(open.issues.join('\n')).toContain('flag: safety');
  });

  it('rejects the person-role test, which the check-in no longer asks', () => {
    const error = errorOf(() =>
      parseModuleCatalogue(
        'f.yaml',
        catalogueText(mod('m1', `[{ when: { personRole: [raadslid] }, priority: 1 }, ${SAFETY_RULE.slice(1, -1)}]`)),
      ),
    );
    expect(error.issues.join('\n')).toMatch(/modules\[0\]\.suggestWhen\[0\]\.when/);
  });

  it('rejects duplicate ids, missing languages and bad URLs', () => {
    const dup = errorOf(() => parseModuleCatalogue('f.yaml', catalogueText(mod('m1', SAFETY_RULE), mod('m1', '[]'))));
    expect(dup.issues.join('\n')).toContain('modules[1].id: duplicate module id "m1"');
    const noEn = errorOf(() =>
      parseModuleCatalogue(
        'f.yaml',
        catalogueText(mod('m1', SAFETY_RULE).replace('summary: { nl: "S", en: "S" }', 'summary: { nl: "S" }')),
      ),
    );
    expect(noEn.issues.join('\n')).toContain('modules[0].summary.en');
    const badUrl = errorOf(() =>
      parseModuleCatalogue(
        'f.yaml',
        catalogueText(
          mod('m1', SAFETY_RULE, '    links: [{ label: { nl: "x", en: "x" }, url: "javascript:alert(1)" }]'),
        ),
      ),
    );
    expect(badUrl.issues.join('\n')).toContain('modules[0].links[0].url');
  });

  it('reports YAML syntax errors with a line, and a missing file by name', () => {
    const syntax = errorOf(() => parseModuleCatalogue('f.yaml', 'version: 1\nmodules: [\n'));
    expect(syntax.issues[0]).toMatch(/^line \d+, column \d+/);
    const dir = tempDir('bb-modules-');
    const missing = errorOf(() => loadModuleCatalogue(join(dir, 'nope.yaml')));
    expect(missing.message).toContain('nope.yaml');
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, catalogueText(mod('only', SAFETY_RULE)));
    expect(loadModuleCatalogue(file).modules[0]?.id).toBe('only');
  });
});

describe('suggestion rules', () => {
  const d = diagnose({
    kind: 'both',
    signals: ['images'],
    roles: ['pushers', 'meSide'],
    voices: ['youth'],
    participation: 'unclear',
    gameChangers: ['tone'],
  });

  it.each([
    [{ track: ['both'] }, true],
    [{ track: ['conflict', 'polarisation'] }, false],
    [{ phase: ['win-lose'] }, true],
    [{ glaslStageAtLeast: 4 }, true],
    [{ glaslStageAtLeast: 5 }, false],
    [{ glaslStageAtMost: 4 }, true],
    [{ glaslStageAtMost: 3 }, false],
    [{ flag: 'participationUnclear' }, true],
    [{ flag: 'participationMismatch' }, false],
    [{ role: ['scapegoat', 'pushers'] }, true],
    [{ role: ['scapegoat'] }, false],
    [{ position: ['side'] }, true],
    [{ gameChangerMissing: 'any' }, true],
    [{ gameChangerMissing: ['tone'] }, false],
    [{ gameChangersMissingAtLeast: 3 }, true],
    [{ gameChangersMissingAtLeast: 4 }, false],
    [{ missingVoices: ['youth'] }, true],
    [{ missingVoices: ['entrepreneurs'] }, false],
    [{ certainty: ['high'] }, false],
    [{ always: true }, true],
    [{ track: ['both'], glaslStageAtLeast: 5 }, false],
  ] as const)('%j → %s', (condition, expected) => {
    expect(matchesCondition(condition as never, d)).toBe(expected);
  });

  it('a condition over Glasl fails when there is no estimate', () => {
    expect(matchesCondition({ glaslStageAtMost: 9 }, diagnose({ kind: 'polarisation' }))).toBe(false);
  });

  it('derives the reason from the most telling test', () => {
    expect(whyOf({ track: ['both'], flag: 'participationUnclear' }, d).key).toBe(
      'result.moduleWhy.flag.participationUnclear',
    );
    expect(whyOf({ track: ['both'], glaslStageAtLeast: 2 }, d)).toEqual({
      key: 'result.moduleWhy.glasl',
      vars: { stage: 4 },
    });
    expect(whyOf({ role: ['scapegoat', 'pushers'] }, d)).toEqual({
      key: 'result.moduleWhy.role',
      choices: { step: 'roles', ids: ['pushers'] },
    });
    expect(whyOf({ always: true }, d).key).toBe('result.moduleWhy.always');
  });

  const custom: ModuleCatalogue = parseModuleCatalogue(
    'custom.yaml',
    catalogueText(
      mod(
        'a',
        '[{ when: { track: [both] }, priority: 50 }, { when: { glaslStageAtLeast: 4 }, priority: 70, why: { nl: "Eigen reden", en: "Own reason" } }]',
      ),
      mod('b', '[{ when: { track: [both] }, priority: 70 }]'),
      mod('c', '[{ when: { always: true }, priority: 10 }]'),
      mod('d', '[{ when: { flag: safety }, priority: 1 }]'),
      mod('e', '[{ when: { missingVoices: any }, priority: 60 }]'),
    ),
  );

  it('ranks by priority, then catalogue order; each module once by its best rule; at most max', () => {
    const picked = suggestModules(custom, d);
    expect(picked.map((s) => [s.module.id, s.priority])).toEqual([
      ['a', 70],
      ['b', 70],
      ['e', 60],
    ]);
    expect(picked[0]?.whyText).toEqual({ nl: 'Eigen reden', en: 'Own reason' });
    expect(suggestModules(custom, d, 1).map((s) => s.module.id)).toEqual(['a']);
    expect(suggestModules(custom, d, 0)).toHaveLength(1);
  });

  it('puts the safety module first with the safety flag, whatever its priority', () => {
    const danger = diagnose({ kind: 'both', signals: ['images'], safety: ['threats'], voices: ['youth'] });
    const picked = suggestModules(custom, danger);
    expect(picked[0]?.module.id).toBe('d');
    expect(picked[0]?.isSafety).toBe(true);
    expect(picked).toHaveLength(3);
  });

  it('falls back to the first completed module when no rule matches', () => {
    const bare = parseModuleCatalogue(
      'bare.yaml',
      catalogueText(mod('x', '[{ when: { track: [conflict] }, priority: 5 }]'), mod('y', SAFETY_RULE)),
    );
    expect(suggestModules(bare, diagnose({ kind: 'polarisation' })).map((s) => [s.module.id, s.why.key])).toEqual([
      ['x', 'result.moduleWhy.always'],
    ]);
    const open = parseModuleCatalogue(
      'open.yaml',
      catalogueText(
        mod('x', '[{ when: { always: true }, priority: 99 }]', '    toBeCompletedByOrganiser: true'),
        mod('y', SAFETY_RULE),
      ),
    );
    expect(suggestModules(open, diagnose({ kind: 'polarisation' })).map((s) => s.module.id)).toEqual(['y']);
  });

  it('never suggests a module the organiser still has to complete (M5 in the seed), even when its rules match', () => {
    const seed = loadModuleCatalogue(SEED);
    const early = diagnose({ kind: 'polarisation', signals: ['debating'], roles: ['pushers'] });
    expect(seed.modules.find((m) => m.id === 'm5')?.suggestWhen.some((r) => matchesCondition(r.when, early))).toBe(
      true,
    );
    expect(suggestModules(seed, early, 8).map((s) => s.module.id)).not.toContain('m5');
  });
});
