/**
 * The private result of a check-in as neutral blocks: summary, findings each with a "waarom" line, the models
 * named and linked, certainty, a one-person's-view line, 1-3 modules with why, and the result's buttons.
 */
import { button } from '../../core/context.js';
import type { Block, MessageVars, OutboundMessage } from '../../message/types.js';
import { SOURCES, type Diagnosis, type Finding, type Reason } from './model.js';
import { localText, type SuggestedModule } from './modules.js';
import { checkinRoutes } from './routes.js';
import { formatDate, message, renderRef, type RenderContext } from './text.js';

/** Votes of "was this useful?". */
export const USEFUL_VOTES = ['yes', 'partly', 'no'] as const;
export type UsefulVote = (typeof USEFUL_VOTES)[number];

export interface ResultView {
  resultId: string;
  diagnosis: Diagnosis;
  suggestions: SuggestedModule[];
  /** When the stored result expires by itself (ms since epoch). */
  expiresAt: number;
}

/** The order findings are shown in; certainty has its own line. */
const FINDING_ORDER: Finding[] = [
  'safety',
  'track',
  'glasl',
  'roles',
  'bridgeBuilder',
  'missingVoices',
  'participation',
  'gameChangers',
];
const WARNING_FINDINGS = new Set<Finding>(['safety', 'bridgeBuilder']);

function diagnosisVars(rc: RenderContext, d: Diagnosis): MessageVars {
  const vars: MessageVars = {
    roleCount: d.roles.length,
    voiceCount: d.missingVoices.length,
    missingCount: d.gameChangersMissing.length,
  };
  if (d.glasl)
    Object.assign(vars, {
      phase: rc.t(`result.phase.${d.glasl.phase}`),
      stage: d.glasl.stage,
      from: d.glasl.from,
      to: d.glasl.to,
    });
  return vars;
}

/** A finding line (`result.finding.*`, the twin of its reason key) and its "Waarom:" line. */
function findingBlock(rc: RenderContext, reason: Reason, vars: MessageVars): Block {
  const findingKey = reason.key.replace(/^result\.why\./, 'result.finding.');
  const finding = renderRef(rc, { ...reason, key: findingKey }, vars);
  const why = rc.t('result.whyLine', { why: renderRef(rc, reason, vars) });
  return {
    type: 'text',
    text: `${finding}\n${why}`,
    tone: WARNING_FINDINGS.has(reason.finding) ? 'warning' : 'normal',
  };
}

/** Links to the models this diagnosis drew on. */
function modelLinks(rc: RenderContext, d: Diagnosis): { label: string; url: string }[] {
  const links: { label: string; url: string }[] = [];
  if (d.glasl || d.track === 'conflict' || d.track === 'both')
    links.push({ label: rc.t('result.model.glasl'), url: SOURCES.glasl });
  if (d.track !== 'conflict' || d.roles.length > 0)
    links.push({ label: rc.t('result.model.brandsmaRoles'), url: SOURCES.brandsmaRoles[rc.locale] });
  if (d.gameChangersMissing.length > 0)
    links.push({ label: rc.t('result.model.brandsmaGameChangers'), url: SOURCES.brandsmaGameChangers });
  links.push({ label: rc.t('result.model.participation'), url: SOURCES.participationLadder });
  return links;
}

/** The "why" of a suggested module: the organiser's own text, or the derived reason. */
export function moduleWhy(rc: RenderContext, suggestion: SuggestedModule): string {
  return suggestion.whyText ? localText(suggestion.whyText, rc.locale) : renderRef(rc, suggestion.why);
}

/** Build the result message for one person. */
export function buildResultMessage(view: ResultView, rc: RenderContext): OutboundMessage {
  const { diagnosis: d, resultId } = view;
  const { t } = rc;
  const vars = diagnosisVars(rc, d);
  const blocks: Block[] = [
    { type: 'heading', text: t('result.title') },
    { type: 'text', text: t(`result.summary.${d.track}`, vars) },
  ];

  for (const finding of FINDING_ORDER) {
    for (const reason of d.reasons.filter((r) => r.finding === finding)) blocks.push(findingBlock(rc, reason, vars));
  }

  const certaintyWhy = d.reasons.filter((r) => r.finding === 'certainty').map((r) => renderRef(rc, r, vars));
  blocks.push({
    type: 'text',
    text: `${t(`result.certainty.${d.certainty}`)}\n${t('result.whyLine', { why: certaintyWhy.join(' ') })}`,
  });
  blocks.push({ type: 'text', text: t('result.onePerson'), tone: 'muted' });
  blocks.push({ type: 'text', text: t('result.modelsIntro') });
  blocks.push({ type: 'links', links: modelLinks(rc, d) });

  blocks.push({ type: 'divider' });
  blocks.push({ type: 'heading', text: t('result.modulesTitle', { count: view.suggestions.length }) });
  for (const s of view.suggestions) {
    blocks.push({
      type: 'text',
      text: t('result.moduleLine', { title: localText(s.module.title, rc.locale), why: moduleWhy(rc, s) }),
    });
  }
  blocks.push({
    type: 'buttons',
    buttons: view.suggestions.map((s) =>
      button(
        t('result.buttons.moreAbout', { title: localText(s.module.title, rc.locale) }),
        checkinRoutes.module(s.module.id),
      ),
    ),
  });

  blocks.push({ type: 'divider' });
  blocks.push({
    type: 'text',
    text: t('result.retention', { date: formatDate(rc.locale, view.expiresAt) }),
    tone: 'muted',
  });
  blocks.push({
    type: 'buttons',
    buttons: [
      button(t('result.buttons.keep'), checkinRoutes.keep(resultId), 'primary'),
      button(t('result.buttons.forget'), checkinRoutes.forget(resultId), 'danger'),
      button(t('result.buttons.restart'), checkinRoutes.restart()),
    ],
  });
  blocks.push({ type: 'text', text: t('result.useful.prompt') });
  blocks.push({
    type: 'buttons',
    // The route names the result, so a vote counts once per result.
    buttons: USEFUL_VOTES.map((vote) => button(t(`result.useful.${vote}`), checkinRoutes.useful(resultId, vote))),
  });
  return message(blocks);
}
