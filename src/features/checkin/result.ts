/**
 * The private result of a check-in, in three layers a person can take in at a glance:
 * 1. a three-line summary: what kind of case, where it stands (and how sure), what helps first;
 * 2. a picture of where it stands (Glasl's ladder, the range marked, the kind of case), always with its words;
 * 3. the modules that fit, each with why.
 * The findings with their "Waarom" lines, the models and their sources sit behind "Toon uitleg". Neutral tone and
 * colours throughout: the result describes, it does not warn or preach (Brandsma's "toon" applies to the bot too).
 */
import { button } from '../../core/context.js';
import { withdrawRoute } from '../privacy/consent.js';
import { plainText } from '../../message/plain-text.js';
import type { Block, MessageVars, OutboundMessage } from '../../message/types.js';
import { readDiagnosis } from './stored-diagnosis.js';
import {
  SAFETY_FIRST_FROM,
  SOURCES,
  interventionAt,
  interventionsFor,
  type Diagnosis,
  type Finding,
  type Reason,
} from './model.js';
import { localText, type SuggestedModule } from './modules.js';
import { pictureBlock, type PictureSource } from './picture.js';
import { checkinRoutes } from './routes.js';
import { choiceList, formatDate, joinList, renderRef, type RenderContext } from './text.js';

/** Votes of "was this useful?". */
export const USEFUL_VOTES = ['yes', 'partly', 'no'] as const;
export type UsefulVote = (typeof USEFUL_VOTES)[number];

export interface ResultView {
  resultId: string;
  diagnosis: Diagnosis;
  suggestions: SuggestedModule[];
  /** When the stored result expires by itself (ms since epoch). */
  expiresAt: number;
  /** The person chose "Bewaar mijn uitslag"; otherwise it goes after 24 hours or when they start something else. */
  kept: boolean;
  /** How long a kept result is kept (RETENTION_DAYS), for the line under the buttons. */
  retentionDays: number;
  /** The note the person wrote for themself, while it is kept. */
  note?: string;
  /** Show the explanation layer (the findings with their "Waarom" lines, the models). */
  explain?: boolean;
  /** Where the picture comes from; without it only its words are shown. */
  picture?: PictureSource;
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
  return { type: 'text', text: `${finding}\n${rc.t('result.whyLine', { why })}` };
}

/** Links to the models this diagnosis drew on, in the person's language where the source has one. */
function modelLinks(rc: RenderContext, d: Diagnosis): { label: string; url: string }[] {
  const links: { label: string; url: string }[] = [];
  if (d.glasl || d.track === 'conflict' || d.track === 'both')
    links.push({ label: rc.t('result.model.glasl'), url: SOURCES.glaslPhases });
  if (d.track !== 'conflict' || d.roles.length > 0)
    links.push({ label: rc.t('result.model.brandsmaRoles'), url: SOURCES.brandsmaRoles[rc.locale] });
  if (d.gameChangersMissing.length > 0)
    links.push({ label: rc.t('result.model.brandsmaGameChangers'), url: SOURCES.brandsmaGameChangers[rc.locale] });
  if (d.flags.vertical) links.push({ label: rc.t('result.model.vertical'), url: SOURCES.kisVertical });
  if (!d.flags.internal) links.push({ label: rc.t('result.model.participation'), url: SOURCES.participationLadder });
  return links;
}

/** The "why" of a suggested module: the organiser's own text, or the derived reason. */
export function moduleWhy(rc: RenderContext, suggestion: SuggestedModule): string {
  return suggestion.whyText ? localText(suggestion.whyText, rc.locale) : renderRef(rc, suggestion.why);
}

/** The three lines on top: what kind of case, where it stands and how sure, what helps first. */
export function summaryLines(rc: RenderContext, d: Diagnosis, first: SuggestedModule | undefined): string[] {
  const { t } = rc;
  const sure = d.flags.mostlyUnknown ? t('result.sure.mostlyUnknown') : t(`result.sure.${d.certainty}`);
  const where = d.glasl
    ? t('result.stage', { from: d.glasl.from, to: d.glasl.to, phase: t(`result.phasePlain.${d.glasl.phase}`) })
    : t('result.noStage');
  const module = first ? localText(first.module.title, rc.locale) : '';
  const next = !d.glasl
    ? t('result.nextModule', { module })
    : t(d.glasl.stage >= SAFETY_FIRST_FROM ? 'result.nextSafety' : 'result.next', {
        intervention: t(`result.intervention.${interventionAt(d.glasl.stage)}`),
        module,
      });
  return [t(`result.summary.${d.track}`), `${where} ${sure}`, next];
}

/** The explanation layer: every finding with its "Waarom", the certainty, one person's view, the models. */
function explanation(rc: RenderContext, d: Diagnosis): Block[] {
  const { t } = rc;
  const vars = diagnosisVars(rc, d);
  const blocks: Block[] = [{ type: 'heading', text: t('result.explanationTitle') }];
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
  return blocks;
}

/** Build the result message for one person. */
export function buildResultMessage(view: ResultView, rc: RenderContext): OutboundMessage {
  const { resultId } = view;
  const d = readDiagnosis(view.diagnosis);
  const { t } = rc;
  const blocks: Block[] = [
    { type: 'heading', text: t('result.title') },
    { type: 'text', text: summaryLines(rc, d, view.suggestions[0]).join('\n') },
    pictureBlock(rc, d.track, d.glasl, view.picture ?? {}),
  ];
  // The person's own words, shown as typed, only to them, for as long as the result is kept.
  if (view.note) blocks.push({ type: 'text', text: t('result.note', { note: view.note }), verbatim: true });

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
  if (view.explain) blocks.push(...explanation(rc, d), { type: 'divider' });
  blocks.push({
    type: 'buttons',
    buttons: [
      view.explain
        ? button(t('result.buttons.hideExplanation'), checkinRoutes.explain(resultId, false))
        : button(t('result.buttons.explain'), checkinRoutes.explain(resultId, true)),
      ...(view.kept ? [] : [button(t('result.buttons.keep'), checkinRoutes.keep(resultId), 'primary')]),
      button(t('result.buttons.forget'), checkinRoutes.forget(resultId), 'danger'),
      button(t('result.buttons.restart'), checkinRoutes.restart()),
      button(t('privacy.withdraw.button'), withdrawRoute()),
    ],
  });
  // Honest about what happens without a choice: not kept, and the message itself stays in the chat.
  blocks.push({
    type: 'text',
    text: view.kept
      ? t('result.retentionKept', { date: formatDate(rc.locale, view.expiresAt) })
      : t('result.retention', { days: view.retentionDays }),
    tone: 'muted',
  });
  blocks.push({ type: 'text', text: t('result.useful.prompt') });
  blocks.push({
    type: 'buttons',
    // The route names the result, so a vote counts once per result.
    buttons: USEFUL_VOTES.map((vote) => button(t(`result.useful.${vote}`), checkinRoutes.useful(resultId, vote))),
  });
  return { text: plainText(blocks), blocks };
}
