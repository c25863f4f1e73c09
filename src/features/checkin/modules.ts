/**
 * The module catalogue: masterclass modules as a data file (MODULES_PATH, default dialogs/modules.yaml) that
 * organisers edit without code changes. It carries its own nl/en text. `suggestWhen` rules are a small
 * declarative language over the diagnosis; `suggestModules` picks 1-3 modules, each with a reason.
 */
import { z } from 'zod';
import type { Locale } from '../../message/types.js';
import { loadDataFile, parseDataFile } from '../../data-file.js';
import { IdSchema } from '../../dialog/schema.js';
import { readDiagnosis } from './stored-diagnosis.js';
import {
  CERTAINTIES,
  FLAGS,
  GAME_CHANGERS,
  PHASES,
  POSITIONS,
  ROLES,
  TRACKS,
  VOICES,
  type Diagnosis,
  type TextRef,
} from './model.js';

const LocalTextSchema = z.object({ nl: z.string().trim().min(1), en: z.string().trim().min(1) }).strict();
const LocalListSchema = z
  .object({ nl: z.array(z.string().trim().min(1)).min(1), en: z.array(z.string().trim().min(1)).min(1) })
  .strict();
const HttpUrlSchema = z.url({
  protocol: /^https?$/,
  message: 'must be a full http(s) URL such as https://example.org',
});
const anyOrList = <T extends readonly [string, ...string[]]>(values: T) =>
  z.union([z.literal('any'), z.array(z.enum(values)).min(1)]);

/** One condition of a rule. Every property given must hold (like a dialog condition). */
export const ModuleConditionSchema = z
  .object({
    /** The diagnosis track is one of these. */
    track: z.array(z.enum(TRACKS)).min(1).optional(),
    /** Glasl's phase is one of these (no escalation signal: false). */
    phase: z.array(z.enum(PHASES)).min(1).optional(),
    /** The most likely Glasl stage is at least / at most this (no escalation signal: false). */
    glaslStageAtLeast: z.number().int().min(1).max(9).optional(),
    glaslStageAtMost: z.number().int().min(1).max(9).optional(),
    /** This flag of the diagnosis is set. */
    flag: z.enum(FLAGS).optional(),
    /** At least one of these roles is in play. */
    role: z.array(z.enum(ROLES)).min(1).optional(),
    /** The person stands here. */
    position: z.array(z.enum(POSITIONS)).min(1).optional(),
    /** `any`: some game changer is not used; a list: one of these is not used. */
    gameChangerMissing: anyOrList(GAME_CHANGERS).optional(),
    /** At least this many game changers are not used. */
    gameChangersMissingAtLeast: z.number().int().min(1).max(GAME_CHANGERS.length).optional(),
    /** `any`: some voice is missing; a list: one of these is missing. */
    missingVoices: anyOrList(VOICES).optional(),
    certainty: z.array(z.enum(CERTAINTIES)).min(1).optional(),
    /** Always holds: a fallback suggestion. */
    always: z.literal(true).optional(),
  })
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'a condition needs at least one test');

export const SuggestRuleSchema = z
  .object({
    when: ModuleConditionSchema,
    /** 0-100; the highest matching priority comes first. */
    priority: z.number().int().min(0).max(100),
    /** Own "why" text; without it the reason is derived from the condition. */
    why: LocalTextSchema.optional(),
  })
  .strict();

export const CatalogueModuleSchema = z
  .object({
    id: IdSchema,
    title: LocalTextSchema,
    summary: LocalTextSchema,
    covers: LocalListSchema,
    suggestWhen: z.array(SuggestRuleSchema).default([]),
    /** Never suggested when one of these holds, not even as the fallback (e.g. participation inside the organisation). */
    neverWhen: z.array(ModuleConditionSchema).default([]),
    links: z.array(z.object({ label: LocalTextSchema, url: HttpUrlSchema }).strict()).default([]),
    /** The content is not public yet: the organiser fills it in (the card says so). */
    toBeCompletedByOrganiser: z.boolean().default(false),
  })
  .strict();

export const ModuleCatalogueSchema = z
  .object({ version: z.literal(1), modules: z.array(CatalogueModuleSchema).min(1) })
  .strict()
  .superRefine((catalogue, ctx) => {
    const seen = new Set<string>();
    catalogue.modules.forEach((module, index) => {
      if (seen.has(module.id))
        ctx.addIssue({ code: 'custom', message: `duplicate module id "${module.id}"`, path: ['modules', index, 'id'] });
      seen.add(module.id);
    });
    // The safety gate must always lead somewhere: one completed module has to answer the safety flag.
    if (
      !catalogue.modules.some((m) => !m.toBeCompletedByOrganiser && m.suggestWhen.some((r) => r.when.flag === 'safety'))
    )
      ctx.addIssue({
        code: 'custom',
        message: 'one module that is not to be completed by the organiser needs a rule `when: { flag: safety }`',
        path: ['modules'],
      });
  });

export type LocalText = z.infer<typeof LocalTextSchema>;
export type ModuleCondition = z.infer<typeof ModuleConditionSchema>;
export type CatalogueModule = z.infer<typeof CatalogueModuleSchema>;
export type ModuleCatalogue = z.infer<typeof ModuleCatalogueSchema>;

/** Read, parse (YAML or JSON) and check the catalogue; a {@link DataFileError} names the file and each path. */
export function loadModuleCatalogue(file: string): ModuleCatalogue {
  return loadDataFile(file, ModuleCatalogueSchema);
}

/** Parse and check catalogue text; `file` is only used in error messages. */
export function parseModuleCatalogue(file: string, text: string): ModuleCatalogue {
  return parseDataFile(file, text, ModuleCatalogueSchema);
}

const matchesAnyOrList = (wanted: 'any' | readonly string[], present: readonly string[]): boolean =>
  wanted === 'any' ? present.length > 0 : wanted.some((id) => present.includes(id));

/** Whether a rule's condition holds for a diagnosis. */
export function matchesCondition(c: ModuleCondition, d: Diagnosis): boolean {
  const stage = d.glasl?.stage;
  if (c.track && !c.track.includes(d.track)) return false;
  if (c.phase && !(d.glasl && c.phase.includes(d.glasl.phase))) return false;
  if (c.glaslStageAtLeast !== undefined && !(stage !== undefined && stage >= c.glaslStageAtLeast)) return false;
  if (c.glaslStageAtMost !== undefined && !(stage !== undefined && stage <= c.glaslStageAtMost)) return false;
  if (c.flag && !d.flags[c.flag]) return false;
  if (c.role && !c.role.some((r) => d.roles.includes(r))) return false;
  if (c.position && !c.position.includes(d.position)) return false;
  if (c.gameChangerMissing && !matchesAnyOrList(c.gameChangerMissing, d.gameChangersMissing)) return false;
  if (c.gameChangersMissingAtLeast !== undefined && d.gameChangersMissing.length < c.gameChangersMissingAtLeast)
    return false;
  if (c.missingVoices && !matchesAnyOrList(c.missingVoices, d.missingVoices)) return false;
  if (c.certainty && !c.certainty.includes(d.certainty)) return false;
  return true;
}

/** The reason a condition gives, from its most telling test: flags first, the fallback last. */
export function whyOf(c: ModuleCondition, d: Diagnosis): TextRef {
  if (c.flag) return { key: `result.moduleWhy.flag.${c.flag}` };
  if ((c.glaslStageAtLeast !== undefined || c.glaslStageAtMost !== undefined || c.phase) && d.glasl)
    return { key: 'result.moduleWhy.glasl', vars: { stage: d.glasl.stage } };
  if (c.role)
    return { key: 'result.moduleWhy.role', choices: { step: 'roles', ids: c.role.filter((r) => d.roles.includes(r)) } };
  if (c.position) return { key: `result.moduleWhy.position.${d.position}` };
  if (c.gameChangerMissing || c.gameChangersMissingAtLeast !== undefined)
    return { key: 'result.moduleWhy.gameChangers', vars: { count: d.gameChangersMissing.length } };
  if (c.missingVoices) return { key: 'result.moduleWhy.missingVoices', vars: { count: d.missingVoices.length } };
  if (c.track) return { key: `result.moduleWhy.track.${d.track}` };
  if (c.certainty) return { key: `result.moduleWhy.certainty.${d.certainty}` };
  return { key: 'result.moduleWhy.always' };
}

/** A module suggested for a diagnosis, with why. */
export interface SuggestedModule {
  module: CatalogueModule;
  priority: number;
  /** The derived reason (a locale key). */
  why: TextRef;
  /** The organiser's own reason, when the rule has one; shown instead of `why`. */
  whyText?: LocalText;
  /** True when this module answers the safety flag. */
  isSafety: boolean;
}

const isSafetyModule = (module: CatalogueModule): boolean => module.suggestWhen.some((r) => r.when.flag === 'safety');

/**
 * 1 to `max` (default 3) modules for a diagnosis: each module once, by its best matching rule, highest priority
 * first (ties: catalogue order). With the safety flag, the safety module always comes first, whatever the
 * priorities say. A module the organiser still has to complete is never suggested: it has nothing to offer yet.
 * When nothing matches, the first completed module of the catalogue is offered as a start. Diagnoses stored in
 * an earlier shape are read with {@link readDiagnosis}.
 */
export function suggestModules(catalogue: ModuleCatalogue, stored: Diagnosis, max = 3): SuggestedModule[] {
  const diagnosis = readDiagnosis(stored);
  const limit = Math.max(1, Math.floor(Number.isFinite(max) ? max : 3));
  const best = new Map<string, SuggestedModule & { order: number }>();
  const usable = (module: CatalogueModule) =>
    !module.toBeCompletedByOrganiser && !module.neverWhen.some((when) => matchesCondition(when, diagnosis));
  catalogue.modules.forEach((module, order) => {
    if (!usable(module)) return;
    for (const rule of module.suggestWhen) {
      if (!matchesCondition(rule.when, diagnosis)) continue;
      const current = best.get(module.id);
      if (current && current.priority >= rule.priority) continue;
      best.set(module.id, {
        module,
        priority: rule.priority,
        why: whyOf(rule.when, diagnosis),
        ...(rule.why ? { whyText: rule.why } : {}),
        isSafety: isSafetyModule(module) && diagnosis.flags.safety,
        order,
      });
    }
  });
  const ranked = [...best.values()].sort(
    (a, b) => Number(b.isSafety) - Number(a.isSafety) || b.priority - a.priority || a.order - b.order,
  );
  const picked = ranked.slice(0, limit).map(({ order: _order, ...rest }) => rest);
  if (picked.length > 0) return picked;
  const first = catalogue.modules.find(usable);
  // The schema guarantees a completed module (the safety one); the guard keeps the function total for hand-made
  // catalogues.
  return first ? [{ module: first, priority: 0, why: { key: 'result.moduleWhy.always' }, isSafety: false }] : [];
}

/** A module by id (case-insensitive), or undefined. */
export function findModule(catalogue: ModuleCatalogue, id: string): CatalogueModule | undefined {
  const wanted = id.trim().toLowerCase();
  return catalogue.modules.find((m) => m.id.toLowerCase() === wanted);
}

/** The text of a catalogue field in a locale. */
export const localText = <T>(text: { nl: T; en: T }, locale: Locale): T => text[locale];
