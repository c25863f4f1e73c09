import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/features/checkin/diagnosis.js';
import {
  buildExplainerCard,
  buildLearnList,
  buildModuleCard,
  EXPLAINER_TOPICS,
  resolveLearnTarget,
} from '../../../src/features/checkin/explainers.js';
import { SOURCES } from '../../../src/features/checkin/model.js';
import { findModule, loadModuleCatalogue, suggestModules } from '../../../src/features/checkin/modules.js';
import { buildResultMessage } from '../../../src/features/checkin/result.js';
import { buildSafetyRoute } from '../../../src/features/checkin/safety.js';
import type { RenderContext } from '../../../src/features/checkin/text.js';
import type { Block, Button, Locale, OutboundMessage } from '../../../src/message/types.js';
import { createTranslator } from '../../../src/i18n/translator.js';

const translator = createTranslator({ dir: 'dialogs', strict: true });
const catalogue = loadModuleCatalogue('dialogs/modules.yaml');
const rc = (locale: Locale): RenderContext => ({ t: translator.bind(locale), locale });
const T = (locale: Locale, key: string, vars?: Record<string, string | number>) => translator.t(locale, key, vars);

const texts = (m: OutboundMessage) =>
  m.blocks.flatMap((b) => (b.type === 'text' || b.type === 'heading' ? [b.text] : []));
const links = (m: OutboundMessage) => m.blocks.flatMap((b) => (b.type === 'links' ? b.links : []));
const buttons = (m: OutboundMessage): Button[] =>
  m.blocks.flatMap((b: Block) => (b.type === 'buttons' ? b.buttons : []));

const rich = diagnose({
  role: 'bestuurder',
  kind: 'both',
  signals: ['debating', 'images'],
  safety: 'none',
  roles: ['pushers', 'joiners', 'meAbove'],
  voices: ['silentMiddle', 'youth'],
  participation: ['meeting', 'lessThanPromised'],
  gameChangers: ['tone'],
});

function result(locale: Locale, d = rich) {
  return buildResultMessage(
    { resultId: 'res42', diagnosis: d, suggestions: suggestModules(catalogue, d), expiresAt: Date.UTC(2026, 3, 1, 12) },
    rc(locale),
  );
}

describe('the result message', () => {
  it.each(['nl', 'en'] as const)('has a why line for every finding (%s)', (locale) => {
    const m = result(locale);
    const whyPrefix = T(locale, 'result.whyLine', { why: '' });
    const whyLines = texts(m).filter((t) => t.includes(`\n${whyPrefix}`));
    const findings = rich.reasons.filter((r) => r.finding !== 'certainty').length;
    // One block per finding plus the certainty block, each with its "Waarom:" line.
    expect(whyLines).toHaveLength(findings + 1);
    expect(texts(m).join('\n')).toContain(T(locale, 'result.finding.bridgeBuilder'));
  });

  it('names and links the models (Glasl, Brandsma, participatieladder)', () => {
    const m = result('nl');
    const urls = links(m).map((l) => l.url);
    expect(urls).toEqual(
      expect.arrayContaining([
        SOURCES.glasl,
        SOURCES.brandsmaRoles.nl,
        SOURCES.brandsmaGameChangers,
        SOURCES.participationLadder,
      ]),
    );
    expect(texts(m).join('\n')).toMatch(/Glasl/);
    expect(texts(m).join('\n')).toMatch(/Brandsma/);
    // The English result links Brandsma's English page.
    expect(links(result('en')).map((l) => l.url)).toContain(SOURCES.brandsmaRoles.en);
    // A pure conflict does not link Brandsma's roles.
    const conflict = diagnose({
      kind: 'conflict',
      signals: ['debating'],
      safety: 'none',
      voices: ['none'],
      participation: ['meeting'],
    });
    expect(links(result('nl', conflict)).map((l) => l.url)).not.toContain(SOURCES.brandsmaRoles.nl);
  });

  it('says how sure it is and that it is one person’s view', () => {
    for (const locale of ['nl', 'en'] as const) {
      const all = texts(result(locale)).join('\n');
      expect(all).toContain(T(locale, `result.certainty.${rich.certainty}`));
      expect(all).toContain(T(locale, 'result.onePerson'));
    }
    const unsure = diagnose({
      kind: 'dontKnow',
      signals: ['dontKnow'],
      voices: ['dontKnow'],
      participation: ['dontKnow'],
    });
    expect(texts(result('nl', unsure)).join('\n')).toContain(T('nl', 'result.certainty.low'));
  });

  it('suggests at most 3 modules, each with why and a "more about" button', () => {
    const m = result('nl');
    const more = buttons(m).filter((b) => b.route.verb === 'module');
    expect(more.length).toBeGreaterThanOrEqual(1);
    expect(more.length).toBeLessThanOrEqual(3);
    for (const b of more) {
      expect(b.route).toMatchObject({ feature: 'checkin' });
      const module = findModule(catalogue, b.route.data?.id ?? '');
      expect(module).toBeDefined();
      expect(texts(m).some((t) => t.startsWith(`${module?.title.nl}: `))).toBe(true);
    }
  });

  it('offers keep, forget, start again and a one-tap "was this useful?"', () => {
    const routes = buttons(result('en')).map((b) => b.route);
    expect(routes).toContainEqual({ feature: 'checkin', verb: 'keep', data: { id: 'res42' } });
    expect(routes).toContainEqual({ feature: 'checkin', verb: 'forget', data: { id: 'res42' } });
    expect(routes).toContainEqual({ feature: 'checkin', verb: 'restart' });
    const useful = routes.filter((r) => r.verb === 'useful');
    expect(useful.map((r) => r.data?.vote)).toEqual(['yes', 'partly', 'no']);
    expect(useful.every((r) => r.data?.id === 'res42')).toBe(true);
  });

  it('shows the retention date and keeps text and blocks in step', () => {
    const m = result('nl');
    expect(m.text).toContain('1 apr 2026');
    expect(m.text.split('\n')[0]).toBe(T('nl', 'result.title'));
  });
});

describe('the safety route', () => {
  const escalation = { name: 'Team OOV Gemeente Voorbeeld', phone: '14 0123', url: 'https://voorbeeld.nl/veiligheid' };

  it.each(['nl', 'en'] as const)('includes the municipality’s own contact, 112 and the police (%s)', (locale) => {
    const m = buildSafetyRoute(rc(locale), { escalation, moduleId: 'm8' });
    const facts = m.blocks.flatMap((b) => (b.type === 'facts' ? b.facts.map((f) => f.value) : []));
    expect(facts).toEqual([escalation.name, escalation.phone, escalation.url]);
    expect(links(m).map((l) => l.url)).toEqual([escalation.url, SOURCES.weerbaarBestuur]);
    const all = texts(m).join('\n');
    expect(all).toContain('112');
    expect(all).toContain('0900-8844');
    expect(all).toContain(T(locale, 'safety.mayor'));
    expect(all).toContain(T(locale, 'safety.notStored'));
    expect(buttons(m).map((b) => b.route)).toEqual([{ feature: 'checkin', verb: 'module', data: { id: 'm8' } }]);
  });

  it('says so when the municipality has no contact configured', () => {
    const m = buildSafetyRoute(rc('nl'), { escalation: {} });
    expect(texts(m)).toContain(T('nl', 'safety.local.missing'));
    expect(m.blocks.some((b) => b.type === 'facts')).toBe(false);
    expect(buttons(m)).toEqual([]);
  });
});

describe('learn cards', () => {
  it.each([
    ['', 'list'],
    ['wetten', 'laws'],
    ['Game-changers', 'gameChangers'],
    ['ROLLEN', 'roles'],
    ['escalatieladder', 'glasl'],
    ['m5', 'm5'],
    ['participatie', 'm6'],
    ['escalation and safety', 'm8'],
    ['xyzzy', 'unknown'],
  ])('leer "%s" → %s', (args, expected) => {
    const target = resolveLearnTarget(args, catalogue);
    const got = target.kind === 'topic' ? target.topic : target.kind === 'module' ? target.module.id : target.kind;
    expect(got).toBe(expected);
  });

  it.each(EXPLAINER_TOPICS)('the %s card has its items, a takeaway and sources', (topic) => {
    for (const locale of ['nl', 'en'] as const) {
      const m = buildExplainerCard(topic, rc(locale));
      const facts = m.blocks.flatMap((b) => (b.type === 'facts' ? b.facts : []));
      expect(facts.length).toBeGreaterThanOrEqual(3);
      expect(links(m).length).toBeGreaterThanOrEqual(1);
      expect(texts(m)).toContain(T(locale, `learn.${topic}.takeaway`));
    }
    expect(buildExplainerCard('roles', rc('nl')).blocks.find((b) => b.type === 'facts')).toMatchObject({
      facts: { length: 5 },
    });
  });

  it('lists every module and the explainers', () => {
    const m = buildLearnList(catalogue, rc('en'));
    const ids = buttons(m)
      .filter((b) => b.route.verb === 'module')
      .map((b) => b.route.data?.id);
    expect(ids).toEqual(catalogue.modules.map((x) => x.id));
    expect(
      buttons(m)
        .filter((b) => b.route.verb === 'learn')
        .map((b) => b.route.data?.topic),
    ).toEqual([...EXPLAINER_TOPICS]);
  });

  it('the DAP card says the organiser completes it; others do not', () => {
    const dap = buildModuleCard(findModule(catalogue, 'm5')!, rc('nl'));
    expect(texts(dap)).toContain(T('nl', 'learn.module.organiserNote'));
    const m3 = buildModuleCard(findModule(catalogue, 'm3')!, rc('en'));
    expect(texts(m3)).not.toContain(T('en', 'learn.module.organiserNote'));
    expect(links(m3).map((l) => l.url)).toContain(SOURCES.glasl);
  });
});
