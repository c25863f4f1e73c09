/**
 * The private result of a check-in as neutral blocks: summary, findings each with a "waarom" line, the models
 * named and linked, certainty, a one-person's-view line, 1-3 modules with why, and the result's buttons.
 */
import { button } from '../../core/context.js';
import type { Block, MessageVars, OutboundMessage } from '../../message/types.js';
import { readDiagnosis } from './stored-diagnosis.js';
import { SAFETY_FIRST_FROM, SOURCES, interventionsFor, type Diagnosis, type Finding, type Reason } from './model.js';
import { localText, type SuggestedModule } from './modules.js';
import { checkinRoutes } from './routes.js';
import { choiceList, formatDate, joinList, message, renderRef, type RenderContext } from './text.js';

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
  'intervention',
  'vertical',
  'roles',
  'bridgeBuilder',
  'position',
  'missingVoices',
  'participation',
  'gameChangers',
];
const WARNING_FINDINGS = new Set<Finding>(['safety', 'bridgeBuilder']);

const rungName = (rc: RenderContext, rung: string | null): string => (rung ? rc.t(`result.rung.${rung}`) : '');

/** Variables every finding text may use; each has a value, so no text of an older result fails to render. */
function diagnosisVars(rc: RenderContext, d: Diagnosis): MessageVars {
  const vars: MessageVars = {
    roleCount: d.roles.length,
    voiceCount: d.missingVoices.length,
    missingCount: d.gameChangersMissing.length,
    promised: rungName(rc, d.participation.promised),
    delivered: rungName(rc, d.participation.delivered),
    phase: '',
    stage: 0,
    from: 0,
    to: 0,
    interventions: '',
    safetyFirst: 'no',
    safetyFrom: SAFETY_FIRST_FROM,
  };
  if (d.glasl)
    Object.assign(vars, {
      phase: rc.t(`result.phase.${d.glasl.phase}`),
      stage: d.glasl.stage,
      from: d.glasl.from,
      to: d.glasl.to,
      // Glasl's interventions for the estimated range, from the one table in model.ts.
      interventions: joinList(
        rc.locale,
        interventionsFor(d.glasl.from, d.glasl.to).map((id) => rc.t(`result.intervention.${id}`)),
      ),
      safetyFirst: d.glasl.to >= SAFETY_FIRST_FROM ? 'yes' : 'no',
    });
  return vars;
}

/**
 * A reason's text, or undefined when it is gone: a result stored by an older version may name texts or choices
 * that no longer exist (the translator then answers with the key itself).
 */
function renderReason(rc: RenderContext, reason: Reason, vars: MessageVars): string | undefined {
  if (reason.choices && choiceList(rc, reason.choices) === '') return undefined;
  const text = renderRef(rc, reason, vars);
  return text === reason.key ? undefined : text;
}

/** A finding line (`result.finding.*`, the twin of its reason key) and its "Waarom:" line; undefined when gone. */
function findingBlock(rc: RenderContext, reason: Reason, vars: MessageVars): Block | undefined {
  const finding = renderReason(rc, { ...reason, key: reason.key.replace(/^result\.why\./, 'result.finding.') }, vars);
  const why = renderReason(rc, reason, vars);
  if (finding === undefined || why === undefined) return undefined;
  return {
    type: 'text',
    text: `${finding}\n${rc.t('result.whyLine', { why })}`,
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
  if (d.flags.vertical) links.push({ label: rc.t('result.model.vertical'), url: SOURCES.kisVertical });
  if (!d.flags.internal) links.push({ label: rc.t('result.model.participation'), url: SOURCES.participationLadder });
  return links;
}

/** The "why" of a suggested module: the organiser's own text, or the derived reason. */
export function moduleWhy(rc: RenderContext, suggestion: SuggestedModule): string {
  return suggestion.whyText ? localText(suggestion.whyText, rc.locale) : renderRef(rc, suggestion.why);
}

/** Build the result message for one person. */
export function buildResultMessage(view: ResultView, rc: RenderContext): OutboundMessage {
  const { resultId } = view;
  const d = readDiagnosis(view.diagnosis);
  const { t } = rc;
  const vars = diagnosisVars(rc, d);
  const blocks: Block[] = [
    { type: 'heading', text: t('result.title') },
    { type: 'text', text: t(`result.summary.${d.track}`, vars) },
  ];
  // Built mostly on "weet niet": say plainly that the result is unsure before any finding.
  if (d.flags.mostlyUnknown) blocks.push({ type: 'text', text: t('result.mostlyUnknown'), tone: 'warning' });

  for (const finding of FINDING_ORDER) {
    for (const reason of d.reasons.filter((r) => r.finding === finding)) {
      const block = findingBlock(rc, reason, vars);
      if (block) blocks.push(block);
    }
  }

  const certaintyWhy = d.reasons.flatMap((r) => {
    const why = r.finding === 'certainty' ? renderReason(rc, r, vars) : undefined;
    return why === undefined ? [] : [why];
  });
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
