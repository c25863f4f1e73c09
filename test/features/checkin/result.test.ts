import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/features/checkin/diagnosis.js';
import {
  buildExplainerCard,
  buildLearnList,
  buildModuleCard,
  EXPLAINER_TOPICS,
  resolveLearnTarget,
} from '../../../src/features/checkin/explainers.js';
import {
  INTERVENTIONS,
  SAFETY_FIRST_FROM,
  SOURCES,
  THIRD_PARTY_FROM,
  TRACKS,
  interventionsFor,
} from '../../../src/features/checkin/model.js';
import { findModule, loadModuleCatalogue, suggestModules } from '../../../src/features/checkin/modules.js';
import { buildResultMessage, type ResultView } from '../../../src/features/checkin/result.js';
import { pictureName } from '../../../src/features/checkin/picture.js';
import { existsSync } from 'node:fs';
import { renderActivity } from '../../../adapters/teams/render.js';
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
  kind: 'both',
  signals: ['debating', 'images', 'vertical'],
  safety: ['none'],
  participation: 'codecide',
  delivered: 'inform',
  voices: ['silentMiddle', 'youth'],
  roles: ['pushers', 'joiners', 'meAbove'],
  gameChangers: ['tone'],
});

/** A result with its explanation shown (the layer behind "Toon uitleg"), unless `view` says otherwise. */
function result(locale: Locale, d = rich, view: Partial<ResultView> = { explain: true }) {
  return buildResultMessage(
    {
      resultId: 'res42',
      diagnosis: d,
      suggestions: suggestModules(catalogue, d),
      expiresAt: Date.UTC(2026, 3, 1, 12),
      kept: false,
      retentionDays: 90,
      ...view,
    },
    rc(locale),
  );
}

describe('the result in three layers', () => {
  it.each(['nl', 'en'] as const)(
    'opens with three summary lines, then the picture, then the modules (%s)',
    (locale) => {
      const m = result(locale, rich, {});
      expect(m.blocks[0]).toEqual({ type: 'heading', text: T(locale, 'result.title') });
      const summary = m.blocks[1];
      expect(summary?.type === 'text' && summary.text.split('\n')).toEqual([
        T(locale, 'result.summary.both'),
        `${T(locale, 'result.stage', { from: 4, to: 5, phase: T(locale, 'result.phasePlain.win-lose') })} ${T(locale, `result.sure.${rich.certainty}`)}`,
        T(locale, 'result.next', {
          intervention: T(locale, 'result.intervention.therapeutic'),
          module: suggestModules(catalogue, rich)[0]!.module.title[locale],
        }),
      ]);
      expect(m.blocks[2]).toMatchObject({ type: 'image', alt: expect.stringContaining('4'), text: expect.any(String) });
      const headings = m.blocks.flatMap((b) => (b.type === 'heading' ? [b.text] : []));
      expect(headings).toEqual([
        T(locale, 'result.title'),
        T(locale, 'result.modulesTitle', { count: suggestModules(catalogue, rich).length }),
      ]);
      // The "Waarom" lines wait behind "Toon uitleg".
      expect(m.text).not.toContain(T(locale, 'result.whyLine', { why: '' }).trim());
      const explain = buttons(m).find((b) => b.route.verb === 'explain');
      expect(explain).toEqual({
        label: T(locale, 'result.buttons.explain'),
        route: { feature: 'checkin', verb: 'explain', data: { id: 'res42', open: '1' } },
      });
      const open = result(locale);
      expect(open.text).toContain(T(locale, 'result.explanationTitle'));
      expect(buttons(open).find((b) => b.route.verb === 'explain')?.route.data).toEqual({ id: 'res42', open: '0' });
    },
  );

  it('speaks plainly and calmly: no warnings, no "Spoor:" jargon', () => {
    for (const locale of ['nl', 'en'] as const) {
      const m = result(locale);
      expect(m.blocks.filter((b) => b.type === 'text' && b.tone === 'warning')).toEqual([]);
      expect(m.text).not.toMatch(/Spoor:|Track:/);
    }
  });

  it('shows the note the person wrote, as typed', () => {
    const m = result('nl', rich, { note: 'Praat met *de wijkagent* <b>' });
    expect(m.blocks).toContainEqual({
      type: 'text',
      text: 'Je notitie voor jezelf: ‘Praat met *de wijkagent* <b>’',
      verbatim: true,
    });
    expect(result('nl', rich, {}).text).not.toContain('notitie');
  });

  it('the picture: a fixed address per language, kind and range, with no person or result in it', () => {
    const linked = result('nl', rich, { picture: { publicUrl: 'https://bot.example.nl/' } });
    const image = linked.blocks.find((b) => b.type === 'image');
    expect(image).toMatchObject({ url: 'https://bot.example.nl/images/glasl/nl-both-4-5.png' });
    expect(image?.type === 'image' && image.url).not.toContain('res42');
    expect(existsSync(`public/images/glasl/${pictureName('nl', 'both', rich.glasl)}`)).toBe(true);
    // Without a public address, inline from the files (Teams takes it; Slack and the terminal show the words).
    const inline = result('en', rich, { picture: { publicDir: 'public' } }).blocks.find((b) => b.type === 'image');
    expect(inline).toMatchObject({ inline: expect.stringMatching(/^data:image\/png;base64,/) });
    expect(inline?.type === 'image' && inline.text).toBe(
      T('en', 'result.picture.line', { ladder: '1 2 3 | [4 5] 6 | 7 8 9', track: T('en', 'result.trackPlain.both') }),
    );
    // A range with no picture drawn: only the words.
    const wide = { ...rich, glasl: { ...rich.glasl!, from: 2, to: 6 } };
    const words = result('nl', wide, { picture: { publicUrl: 'https://bot.example.nl' } }).blocks.find(
      (b) => b.type === 'image',
    );
    expect(words).not.toHaveProperty('url');
    expect(words?.type === 'image' && words.alt).toContain('trede 2 tot 6');
  });

  it('fits in one Teams message (at most 28 KB) with the explanation open, the longest note and a linked picture', () => {
    for (const locale of ['nl', 'en'] as const) {
      const m = result(locale, rich, {
        explain: true,
        note: 'x'.repeat(280),
        picture: { publicUrl: 'https://bubbelbreker.gemeente.example' },
      });
      expect(JSON.stringify(renderActivity({ ...m, locale })).length).toBeLessThan(28 * 1024);
    }
  });

  it('every picture the check-in can ask for exists, in both languages', () => {
    for (const locale of ['nl', 'en'] as const)
      for (const track of TRACKS)
        for (const stage of [1, 2, 3, 4, 5, 6])
          for (const from of [Math.max(1, stage - 1), stage]) {
            const name = pictureName(locale, track, { stage, from, to: stage + 1, phase: 'win-win' });
            expect(name && existsSync(`public/images/glasl/${name}`), `${locale} ${track} ${from}-${stage + 1}`).toBe(
              true,
            );
          }
  });
});

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
        SOURCES.glaslPhases,
        SOURCES.brandsmaRoles.nl,
        SOURCES.brandsmaGameChangers.nl,
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

  it('says honestly that a result is not kept unless chosen, and until when a kept one is', () => {
    const m = result('nl');
    expect(m.text).toContain(T('nl', 'result.retention', { days: 90 }));
    expect(m.text).toContain('24 uur');
    expect(m.text.split('\n')[0]).toBe(T('nl', 'result.title'));
    expect(buttons(m).map((b) => b.label)).toContain('Bewaar mijn uitslag');
    const kept = result('nl', rich, { kept: true });
    expect(kept.text).toContain('1 apr 2026');
    expect(kept.text).toContain('gecodeerd');
    // Kept already: no second "keep" button.
    expect(buttons(kept).map((b) => b.route.verb)).not.toContain('keep');
  });

  it('offers to withdraw consent from the result', () => {
    expect(buttons(result('nl')).map((b) => b.route)).toContainEqual({ feature: 'privacy', verb: 'withdraw' });
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
      expect(texts(m)).toContain(
        T(locale, `learn.${topic}.takeaway`, { thirdParty: THIRD_PARTY_FROM, safety: SAFETY_FIRST_FROM }),
      );
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

describe('round 2 of the method in the result', () => {
  const all = (m: OutboundMessage) => texts(m).join('\n');

  it('names the broken promise with both rungs, in plain words', () => {
    expect(all(result('nl'))).toContain('Beloofd was: meebeslissen. Inwoners kregen: informeren.');
    expect(all(result('en'))).toContain('Promised: co-deciding. Residents got: informing.');
  });

  it('names vertical polarisation and links KIS', () => {
    expect(all(result('nl'))).toContain(T('nl', 'result.finding.vertical'));
    expect(links(result('nl')).map((l) => l.url)).toContain(SOURCES.kisVertical);
  });

  it.each(['nl', 'en'] as const)(
    'names the interventions for the estimated range, from the one table (%s)',
    (locale) => {
      const d = diagnose({ kind: 'conflict', signals: ['ultimatums'], safety: ['none'], position: 'meMiddle' });
      expect(d.glasl).toMatchObject({ from: 6, to: 7 });
      const text = all(result(locale, d));
      for (const id of interventionsFor(6, 7)) expect(text).toContain(T(locale, `result.intervention.${id}`));
      expect(text).not.toContain(T(locale, 'result.intervention.moderation'));
      expect(text).toContain(
        locale === 'nl' ? 'Vanaf trede 6 gaat veiligheid voor.' : 'From stage 6, safety comes first.',
      );
      const early = all(result(locale, diagnose({ kind: 'conflict', signals: ['debating'], safety: ['none'] })));
      expect(early).toContain(T(locale, 'result.intervention.moderation'));
      expect(early).not.toContain(locale === 'nl' ? 'gaat veiligheid voor' : 'safety comes first');
    },
  );

  it('the Glasl explainer says the same as the result: every intervention with its stages, from the same table', () => {
    expect(THIRD_PARTY_FROM).toBe(INTERVENTIONS.find((i) => i.id === 'mediation')?.from);
    expect(SAFETY_FIRST_FROM).toBe(INTERVENTIONS.find((i) => i.id === 'arbitration')?.from);
    for (const locale of ['nl', 'en'] as const) {
      const card = buildExplainerCard('glasl', rc(locale));
      const text = card.blocks
        .flatMap((b) => (b.type === 'facts' ? b.facts.map((f) => f.value) : b.type === 'text' ? [b.text] : []))
        .join('\n');
      for (const i of INTERVENTIONS)
        expect(text).toContain(
          T(locale, 'learn.glasl.band', { name: T(locale, `result.intervention.${i.id}`), from: i.from, to: i.to }),
        );
    }
  });

  it('says plainly when the result rests mostly on "weet niet", and leads with M1', () => {
    const d = diagnose({
      kind: 'dontKnow',
      signals: ['dontKnow'],
      safety: ['none'],
      participation: 'dontKnow',
      voices: ['dontKnow'],
      roles: ['pushers', 'meSide'],
      gameChangers: ['dontKnow'],
    });
    const m = result('nl', d);
    expect(m.text.split('\n')[2]).toContain(T('nl', 'result.sure.mostlyUnknown'));
    expect(suggestModules(catalogue, d)[0]?.module.id).toBe('m1');
    expect(all(m)).not.toContain(T('nl', 'result.finding.gameChangersMissing', { missingCount: 4 }));
  });

  it('writes plain Dutch: none of the sentences trainers corrected', () => {
    const nl = translator
      .keys('nl')
      .filter((k) => /^(checkin|result|learn|safety)\./.test(k))
      .map((k) =>
        translator.t('nl', k, {
          count: 1,
          roleCount: 1,
          voiceCount: 1,
          missingCount: 1,
          choices: 'x',
          stage: 1,
          from: 1,
          to: 2,
          phase: 'x',
          promised: 'x',
          delivered: 'x',
          interventions: 'x',
          safetyFirst: 'no',
          safetyFrom: 6,
          title: 'x',
          why: 'x',
          date: 'x',
          until: 'x',
          days: 1,
          noteDays: 1,
          notes: 0,
          track: 'x',
          label: 'x',
          name: 'x',
          thirdParty: 5,
          safety: 6,
          module: 'x',
          intervention: 'x',
          note: 'x',
          ladder: 'x',
          current: 1,
          left: 1,
        }),
      );
    for (const phrase of [
      'gezicht',
      'eenzijdig',
      'getoetst aan het oordeel',
      'Wat doe jij of de gemeente',
      'moraliseren',
    ])
      expect(
        nl.filter((text) => text.includes(phrase)),
        phrase,
      ).toEqual([]);
  });
});

describe('the safety route for doxing', () => {
  it.each(['nl', 'en'] as const)('gives the concrete steps only when personal details were posted (%s)', (locale) => {
    const plain = buildSafetyRoute(rc(locale), { escalation: {} });
    expect(texts(plain)).not.toContain(T(locale, 'safety.doxxing.brp'));
    const m = buildSafetyRoute(rc(locale), { escalation: {}, doxxing: true });
    for (const key of ['safety.doxxing.title', 'safety.doxxing.report', 'safety.doxxing.contact', 'safety.doxxing.brp'])
      expect(texts(m), key).toContain(T(locale, key));
    expect(texts(m).join('\n')).toContain('BRP');
    expect(texts(m)).toContain(T(locale, 'safety.officials'));
    expect(links(m).map((l) => l.url)).toEqual([SOURCES.weerbaarBestuur, SOURCES.doxxing]);
  });
});
