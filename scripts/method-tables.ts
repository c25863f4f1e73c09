/**
 * The generated parts of docs/method.md: the question and word counts per track (walked through the dialog data
 * and the Dutch texts) and the case library table (from test/features/checkin/cases.yaml). Tests compare the
 * file with what these functions produce, cell by cell, so the doc cannot drift from the data (the formatter may
 * pad the table columns).
 *   npx tsx scripts/method-tables.ts           check: exits 1 when docs/method.md is out of date
 *   npx tsx scripts/method-tables.ts --write   rewrite the generated sections, then format the file
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { advance, predictPath } from '../src/dialog/engine.js';
import { hintKey, progressLabel } from '../src/dialog/render.js';
import { PLATFORMS } from '../src/message/types.js';
import { loadDialogFile } from '../src/dialog/loader.js';
import type { DialogDefinition, Step } from '../src/dialog/schema.js';
import type { Answer } from '../src/dialog/types.js';
import { FLAGS, TRACKS } from '../src/features/checkin/model.js';
import { consentText } from '../src/features/privacy/consent.js';
import { createTranslator } from '../src/i18n/translator.js';

export const METHOD_DOC = 'docs/method.md';
export const CASES_FILE = 'test/features/checkin/cases.yaml';
export const DIALOG_FILE = 'dialogs/checkin.yaml';
/** The check-in's limits per track: about 3 minutes. */
export const MAX_QUESTIONS = 8;
export const MAX_WORDS = 450;
/** The consent card before the first check-in comes on top: at most about 80 words. */
export const MAX_CONSENT_WORDS = 80;
/** NOTE_RETENTION_DAYS by default, as the texts show it. */
const NOTE_DAYS = 7;

const AnswerSchema = z.union([z.string(), z.array(z.string())]);
const CaseSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    family: z.enum([
      'windpark',
      'azc',
      'budget',
      'internal',
      'participation',
      'threats',
      'integrity',
      'vertical',
      'unknown',
    ]),
    situation: z.string().min(10),
    answers: z.record(z.string(), AnswerSchema),
    expect: z
      .object({
        track: z.enum(TRACKS),
        stage: z.number().int().min(1).max(9).nullable(),
        range: z.tuple([z.number().int(), z.number().int()]).nullable(),
        certainty: z.enum(['high', 'medium', 'low']),
        safety: z.boolean(),
        firstModule: z.string(),
        flags: z.array(z.enum(FLAGS)).optional(),
        absent: z.array(z.string()).optional(),
        why: z.string().optional(),
      })
      .strict(),
  })
  .strict();
const CasesFileSchema = z.object({ version: z.literal(1), cases: z.array(CaseSchema).min(1) }).strict();
export type CheckinCase = z.infer<typeof CaseSchema>;

/** The case library, checked. */
export function loadCases(file = CASES_FILE): CheckinCase[] {
  return CasesFileSchema.parse(parse(readFileSync(file, 'utf8'))).cases;
}

const words = (text: string): number => text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;

/**
 * The progress lines a person reads on one path, from the engine itself: the given answers where the path
 * depends on them, the first choice elsewhere, the optional note skipped.
 */
function progressLines(
  def: DialogDefinition,
  answers: Record<string, Answer>,
  t: (key: string, vars?: Record<string, string | number>) => string,
): string[] {
  const lines: string[] = [];
  let result = advance(def, undefined, { type: 'start', now: 0 });
  for (let guard = 0; guard < def.steps.length; guard++) {
    const ask = result.outputs.find((o) => o.kind === 'ask');
    const step = ask?.kind === 'ask' ? def.steps.find((s) => s.id === ask.stepId) : undefined;
    if (ask?.kind !== 'ask' || !step) break;
    lines.push(progressLabel(ask, t));
    const first = 'choices' in step ? step.choices[0] : undefined;
    const value: Answer =
      answers[step.id] ?? (step.kind === 'multi' ? [first ?? ''] : step.kind === 'single' ? (first ?? '') : null);
    result = advance(def, result.state, { type: 'answer', stepId: step.id, turn: result.state.turn, value, now: 1 });
  }
  return lines;
}

/** The words a person reads for one step: its say text, or prompt, hint, choice labels and placeholder. */
function stepWords(
  def: DialogDefinition,
  step: Step,
  t: (key: string, vars?: Record<string, string | number>) => string,
): number {
  const key = (part: string) => `${def.id}.${step.id}.${part}`;
  if (step.kind === 'say') return words(t(key('text')));
  let count = words(t(key('prompt')));
  // A hint per platform counts with its longest wording.
  if (step.hint) count += Math.max(...PLATFORMS.map((p) => words(t(hintKey(def, step, p), { noteDays: NOTE_DAYS }))));
  if ('choices' in step) for (const id of step.choices) count += words(t(key(`choices.${id}`)));
  if (step.kind === 'text') count += words(t(key('placeholder')));
  return count;
}

export interface TrackRow {
  /** The `kind` choice that opens the track. */
  kind: string;
  /** Numbered questions and words to read on the longest path of the track (the note is an unnumbered extra). */
  questions: number;
  words: number;
  /** The same on the shortest path ("n.v.t.: binnen de organisatie"). */
  shortestQuestions: number;
  shortestWords: number;
  /** Interface words on the longest path: the progress line and the buttons (back, stop, send, skip). */
  interfaceWords: number;
  steps: string[];
}

/** Walk every track of the check-in through the dialog data and the Dutch texts. */
/**
 * The words of the consent card a first-time reader gets before the first question: its title and its longest
 * platform wording, with the default retention periods. Counted apart from the tracks' budget.
 */
export function consentWords(): number {
  const translator = createTranslator({ dir: 'dialogs', strict: true });
  const t = (key: string, vars?: Record<string, string | number>) => translator.t('nl', key, vars);
  return (
    words(t('privacy.consent.title')) +
    Math.max(
      ...PLATFORMS.map((platform) =>
        words(consentText(t, { platform, retentionDays: 90, noteRetentionDays: NOTE_DAYS })),
      ),
    )
  );
}

export function trackBudget(def = loadDialogFile(DIALOG_FILE)): TrackRow[] {
  const translator = createTranslator({ dir: 'dialogs', strict: true });
  const t = (key: string, vars?: Record<string, string | number>) => translator.t('nl', key, vars);
  const kindStep = def.steps.find((s) => s.id === 'kind');
  const kinds = kindStep && 'choices' in kindStep ? kindStep.choices : [];
  const participation = def.steps.find((s) => s.id === 'participation');
  const variants = participation && 'choices' in participation ? participation.choices : [];
  const isExtra = (step: Step) => step.kind === 'text' && step.extra === true;
  const says = def.steps.filter((s) => s.kind === 'say');
  return kinds.map((kind) => {
    const paths = variants.map((choice) => {
      const answers: Record<string, Answer> = { kind, safety: ['none'], participation: choice };
      const steps = predictPath(def, answers).map((id) => def.steps.find((s) => s.id === id) as Step);
      const numbered = steps.filter((s) => !isExtra(s));
      const count = [...says, ...steps].reduce((sum, step) => sum + stepWords(def, step, t), 0);
      const progressLine = progressLines(def, answers, t);
      const ui = steps.reduce((sum, step, i) => {
        const progress = progressLine[i] ?? '';
        const buttons = [
          i > 0 ? 'common.buttons.back' : undefined,
          'common.buttons.stop',
          step.kind === 'multi' || step.kind === 'text' ? 'common.buttons.submit' : undefined,
          step.kind === 'text' && step.optional ? 'common.buttons.skip' : undefined,
        ].filter((k): k is string => k !== undefined);
        return sum + words(progress) + buttons.reduce((n, k) => n + words(t(k)), 0);
      }, 0);
      return { steps: steps.map((s) => s.id), questions: numbered.length, words: count, ui };
    });
    const longest = paths.reduce((a, b) =>
      b.questions > a.questions || (b.questions === a.questions && b.words > a.words) ? b : a,
    );
    const shortest = paths.reduce((a, b) => (b.words < a.words ? b : a));
    return {
      kind,
      questions: longest.questions,
      words: Math.max(...paths.map((p) => p.words)),
      shortestQuestions: shortest.questions,
      shortestWords: shortest.words,
      interfaceWords: longest.ui,
      steps: longest.steps,
    };
  });
}

const TRACK_NAMES: Record<string, string> = {
  conflict: 'Conflict',
  polarisation: 'Polarisation (wij-zij)',
  both: 'Both (allebei)',
  dontKnow: 'Weet ik niet',
};

/** The markdown table of question and word counts per track. */
export function tracksTable(rows: TrackRow[]): string {
  const lines = [
    '| Track | Numbered questions | Words to read | Inside the organisation (n.v.t.) | Interface words | Questions on the longest path |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${TRACK_NAMES[r.kind] ?? r.kind} | ${r.questions} | ${r.words} | ${r.shortestQuestions} questions, ${r.shortestWords} words | ${r.interfaceWords} | ${r.steps.map((s) => `\`${s}\``).join(', ')} |`,
    ),
  ];
  return lines.join('\n');
}

const show = (answer: string | string[]): string => (Array.isArray(answer) ? answer.join('+') : answer);

/** One case's answers in a short, readable line (step order of the dialog; the rungs as promised→delivered). */
function answersLine(c: CheckinCase): string {
  const order = ['kind', 'signals', 'safety', 'position', 'roles', 'participation', 'voices', 'gameChangers'];
  const parts: string[] = [];
  for (const step of order) {
    const answer = c.answers[step];
    if (answer === undefined) continue;
    if (step === 'participation' && c.answers.delivered !== undefined)
      parts.push(`participation: ${show(answer)}→${show(c.answers.delivered)}`);
    else parts.push(`${step}: ${show(answer)}`);
  }
  return parts.join('; ');
}

const CERTAINTY_NL: Record<string, string> = { high: 'vrij zeker', medium: 'matig', low: 'niet erg zeker' };

/** The markdown table of the case library. */
export function casesTable(cases: CheckinCase[]): string {
  const lines = [
    '| # | Family | Situation | Answers | Track | Stage (range) | Certainty | Safety route | First module |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...cases.map((c, i) => {
      const e = c.expect;
      const stage = e.stage === null ? 'none' : `${e.stage} (${e.range?.[0]}-${e.range?.[1]})`;
      const situation = e.why ? `${c.situation} _${e.why}_` : c.situation;
      return `| ${i + 1} | ${c.family} | ${situation} | ${answersLine(c)} | ${e.track} | ${stage} | ${CERTAINTY_NL[e.certainty]} | ${e.safety ? 'yes' : 'no'} | ${e.firstModule.toUpperCase()} |`;
    }),
  ];
  return lines.join('\n');
}

/** Replace the text between `<!-- generated:<name> -->` and `<!-- /generated:<name> -->`. */
function replaceSection(doc: string, name: string, body: string): string {
  const start = `<!-- generated:${name} -->`;
  const end = `<!-- /generated:${name} -->`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${METHOD_DOC} has no section ${start} … ${end}`);
  return `${doc.slice(0, from + start.length)}\n${body}\n${doc.slice(to)}`;
}

/** docs/method.md with its generated sections brought up to date (not yet formatted). */
export function renderMethodDoc(doc: string): string {
  return replaceSection(replaceSection(doc, 'tracks', tracksTable(trackBudget())), 'cases', casesTable(loadCases()));
}

/** The rows of a markdown table as trimmed cells, whatever the column padding. */
export function tableCells(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.trim().startsWith('|'))
    .map((line) =>
      line
        .trim()
        .slice(1, -1)
        .split('|')
        .map((cell) => (/^\s*-+\s*$/.test(cell) ? '---' : cell.trim())),
    );
}

/** The table between the markers of a generated section of the doc. */
export function sectionOf(doc: string, name: string): string {
  const start = `<!-- generated:${name} -->`;
  return doc.slice(doc.indexOf(start) + start.length, doc.indexOf(`<!-- /generated:${name} -->`));
}

/** Whether the doc's generated sections hold exactly the generated tables. */
export function isMethodDocCurrent(doc: string): boolean {
  const same = (name: string, table: string) =>
    JSON.stringify(tableCells(sectionOf(doc, name))) === JSON.stringify(tableCells(table));
  return same('tracks', tracksTable(trackBudget())) && same('cases', casesTable(loadCases()));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const doc = readFileSync(METHOD_DOC, 'utf8');
  if (process.argv.includes('--write')) {
    writeFileSync(METHOD_DOC, renderMethodDoc(doc));
    execFileSync('npx', ['biome', 'format', '--write', METHOD_DOC], { stdio: 'inherit' });
  } else if (!isMethodDocCurrent(doc)) {
    console.error(`${METHOD_DOC} is out of date: run npx tsx scripts/method-tables.ts --write`);
    process.exit(1);
  }
}
