/**
 * Cards for `leer` / `learn`: short explainers of the models (Brandsma's three basic laws, the five roles,
 * the four game changers, Glasl's three phases) and the module catalogue as a list and as detail cards.
 */
import { button, commandRoute } from '../../core/context.js';
import { foldAccents } from '../../lib/text.js';
import type { Block, OutboundMessage } from '../../message/types.js';
import { INTERVENTIONS, SAFETY_FIRST_FROM, SOURCES, THIRD_PARTY_FROM } from './model.js';
import { localText, type CatalogueModule, type ModuleCatalogue } from './modules.js';
import { checkinRoutes } from './routes.js';
import { joinList, message, type RenderContext } from './text.js';

export const EXPLAINER_TOPICS = ['laws', 'roles', 'gameChangers', 'glasl'] as const;
export type ExplainerTopic = (typeof EXPLAINER_TOPICS)[number];

/** Items per topic, in order; text keys `learn.<topic>.items.<item>.name` and `.text`. */
const TOPIC_ITEMS: Record<ExplainerTopic, readonly string[]> = {
  laws: ['construct', 'fuel', 'gut'],
  roles: ['pusher', 'joiner', 'silent', 'bridgeBuilder', 'scapegoat'],
  gameChangers: ['target', 'subject', 'position', 'tone'],
  glasl: ['winWin', 'winLose', 'loseLose'],
};

/** Glasl's phases as stage bands (SOURCES.glaslPhases), for the interventions that start in each. */
const GLASL_PHASE_STAGES: Record<string, readonly [number, number]> = {
  winWin: [1, 3],
  winLose: [4, 6],
  loseLose: [7, 9],
};

/**
 * "Wat helpt: gespreksleiding (trede 1 tot 3), …" for a Glasl phase: the interventions that start in it, written
 * from the one intervention table (model.ts INTERVENTIONS), so the explainer and the result always agree.
 */
export function glaslHelps(rc: RenderContext, item: string): string {
  const [first, last] = GLASL_PHASE_STAGES[item] ?? [0, -1];
  const bands = INTERVENTIONS.filter((i) => i.from >= first && i.from <= last).map((i) =>
    rc.t('learn.glasl.band', { name: rc.t(`result.intervention.${i.id}`), from: i.from, to: i.to }),
  );
  return rc.t('learn.glasl.helps', { interventions: joinList(rc.locale, bands) });
}

/**
 * Sources per topic, Dutch originals first (polarisatie.nl, insidepolarisation.nl, KIS, VNG), https; a source in
 * another language says so in its label. Labels are `learn.sources.<name>`.
 */
const TOPIC_SOURCES: Record<ExplainerTopic, (locale: 'nl' | 'en') => { name: string; url: string }[]> = {
  laws: () => [
    { name: 'brandsmaLaws', url: SOURCES.brandsmaLaws },
    { name: 'kis', url: SOURCES.kisVertical },
  ],
  roles: (locale) => [
    { name: 'brandsmaRoles', url: SOURCES.brandsmaRoles[locale] },
    { name: 'vngDepolarisation', url: SOURCES.vngDepolarisation },
  ],
  gameChangers: (locale) => [
    { name: 'brandsmaGameChangers', url: SOURCES.brandsmaGameChangers[locale] },
    { name: 'vngDepolarisation', url: SOURCES.vngDepolarisation },
  ],
  glasl: () => [
    { name: 'glaslPhases', url: SOURCES.glaslPhases },
    { name: 'glasl', url: SOURCES.glasl },
  ],
};

/** Words people type after `leer` / `learn` for each topic (lower case, no accents or spaces). */
const TOPIC_WORDS: Record<string, ExplainerTopic> = {
  wetten: 'laws',
  basiswetten: 'laws',
  laws: 'laws',
  basiclaws: 'laws',
  brandsma: 'laws',
  rollen: 'roles',
  roles: 'roles',
  gamechangers: 'gameChangers',
  gamechanger: 'gameChangers',
  glasl: 'glasl',
  fasen: 'glasl',
  phases: 'glasl',
  escalatie: 'glasl',
  escalatieladder: 'glasl',
  escalation: 'glasl',
};

export type LearnTarget =
  | { kind: 'list' }
  | { kind: 'topic'; topic: ExplainerTopic }
  | { kind: 'module'; module: CatalogueModule }
  | { kind: 'unknown' };

const normalise = (text: string): string => foldAccents(text).replace(/[\s_-]+/g, '');

/** What `leer <args>` asks for: nothing → the list; a topic word; a module id (`m3`) or title; else unknown. */
export function resolveLearnTarget(args: string, catalogue: ModuleCatalogue): LearnTarget {
  const wanted = normalise(args);
  if (wanted === '') return { kind: 'list' };
  const topic = TOPIC_WORDS[wanted] ?? EXPLAINER_TOPICS.find((t) => t.toLowerCase() === wanted);
  if (topic) return { kind: 'topic', topic };
  const byId = catalogue.modules.find((m) => normalise(m.id) === wanted);
  if (byId) return { kind: 'module', module: byId };
  const byTitle = catalogue.modules.find((m) =>
    [m.title.nl, m.title.en].some((title) => normalise(title).includes(wanted)),
  );
  return byTitle && wanted.length >= 3 ? { kind: 'module', module: byTitle } : { kind: 'unknown' };
}

const topicButton = (rc: RenderContext, topic: ExplainerTopic) =>
  button(rc.t(`learn.${topic}.title`), checkinRoutes.learn(topic));
const moduleButton = (rc: RenderContext, module: CatalogueModule) =>
  button(localText(module.title, rc.locale), checkinRoutes.module(module.id));
const listButton = (rc: RenderContext) => button(rc.t('learn.buttons.list'), checkinRoutes.learn('list'));
const checkinButton = (rc: RenderContext) => button(rc.t('learn.buttons.checkin'), commandRoute('checkin'));

/** The overview: the four explainers and every module of the catalogue, each once (as its button). */
export function buildLearnList(catalogue: ModuleCatalogue, rc: RenderContext): OutboundMessage {
  return message([
    { type: 'heading', text: rc.t('learn.list.title') },
    { type: 'text', text: rc.t('learn.list.explainers') },
    { type: 'buttons', buttons: EXPLAINER_TOPICS.map((topic) => topicButton(rc, topic)) },
    { type: 'text', text: rc.t('learn.list.modules') },
    { type: 'buttons', buttons: catalogue.modules.map((m) => moduleButton(rc, m)) },
    { type: 'text', text: rc.t('learn.list.hint'), tone: 'muted' },
  ]);
}

/** One explainer card. */
export function buildExplainerCard(topic: ExplainerTopic, rc: RenderContext): OutboundMessage {
  const { t } = rc;
  const base = `learn.${topic}`;
  const blocks: Block[] = [
    { type: 'heading', text: t(`${base}.title`) },
    { type: 'text', text: t(`${base}.intro`) },
    {
      type: 'facts',
      facts: TOPIC_ITEMS[topic].map((item) => ({
        label: t(`${base}.items.${item}.name`),
        value:
          topic === 'glasl'
            ? `${t(`${base}.items.${item}.text`)} ${glaslHelps(rc, item)}`
            : t(`${base}.items.${item}.text`),
      })),
    },
    { type: 'text', text: t(`${base}.takeaway`, { thirdParty: THIRD_PARTY_FROM, safety: SAFETY_FIRST_FROM }) },
    {
      type: 'links',
      links: TOPIC_SOURCES[topic](rc.locale).map((s) => ({ label: t(`learn.sources.${s.name}`), url: s.url })),
    },
    { type: 'text', text: t('learn.paraphrased'), tone: 'muted' },
    {
      type: 'buttons',
      buttons: [
        ...EXPLAINER_TOPICS.filter((other) => other !== topic).map((other) => topicButton(rc, other)),
        listButton(rc),
      ],
    },
  ];
  return message(blocks);
}

/** One module's card: summary, what it covers, links, and a note when the organiser still has to complete it. */
export function buildModuleCard(module: CatalogueModule, rc: RenderContext): OutboundMessage {
  const { t, locale } = rc;
  const blocks: Block[] = [
    { type: 'heading', text: localText(module.title, locale) },
    { type: 'text', text: localText(module.summary, locale) },
    {
      type: 'text',
      text: `${t('learn.module.covers')}\n${localText(module.covers, locale)
        .map((line) => `• ${line}`)
        .join('\n')}`,
    },
  ];
  if (module.toBeCompletedByOrganiser)
    blocks.push({ type: 'text', text: t('learn.module.organiserNote'), tone: 'muted' });
  if (module.links.length > 0)
    blocks.push({ type: 'links', links: module.links.map((l) => ({ label: localText(l.label, locale), url: l.url })) });
  blocks.push({ type: 'buttons', buttons: [listButton(rc), checkinButton(rc)] });
  return message(blocks);
}

/** The reply to `leer <something unknown>`: say so, then the list. */
export function buildLearnNotFound(catalogue: ModuleCatalogue, rc: RenderContext): OutboundMessage {
  const list = buildLearnList(catalogue, rc);
  const note: Block = { type: 'text', text: rc.t('learn.notFound') };
  return message([note, ...list.blocks]);
}
