import { z } from 'zod';

/** Ids in dialog data: lower camelCase or kebab/snake, starting with a letter. */
export const IdSchema = z
  .string()
  .regex(/^[a-z][a-zA-Z0-9_-]{0,39}$/, 'use letters, digits, - or _, starting with a lower-case letter');

/** A condition over the answers so far. Every property given must hold. */
export interface Condition {
  /** The step whose answer is tested. */
  step?: string;
  /** Single choice: the answer is one of these. Multi choice: it contains at least one of these. */
  in?: string[];
  /** Multi choice: it contains every one of these. */
  includesAll?: string[];
  /** Scale: the answer is at least this. */
  gte?: number;
  /** Scale: the answer is at most this. */
  lte?: number;
  /** The step was answered (true) or skipped/not reached (false). */
  answered?: boolean;
  anyOf?: Condition[];
  allOf?: Condition[];
  not?: Condition;
}

/** Zod schema of {@link Condition}. */
export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z
    .object({
      step: IdSchema.optional(),
      in: z.array(IdSchema).min(1).optional(),
      includesAll: z.array(IdSchema).min(1).optional(),
      gte: z.number().optional(),
      lte: z.number().optional(),
      answered: z.boolean().optional(),
      anyOf: z.array(ConditionSchema).min(1).optional(),
      allOf: z.array(ConditionSchema).min(1).optional(),
      not: ConditionSchema.optional(),
    })
    .strict()
    .refine((c) => Object.keys(c).length > 0, 'a condition needs at least one test')
    .refine(
      (c) =>
        c.step !== undefined ||
        (c.in === undefined &&
          c.includesAll === undefined &&
          c.gte === undefined &&
          c.lte === undefined &&
          c.answered === undefined),
      'in, includesAll, gte, lte and answered need a step',
    ),
);

/** `$end` ends the dialog; any other target is a step id. */
export const END = '$end';

/** A jump taken after the step is answered, when `when` holds. The first matching rule wins. */
export const RuleSchema = z
  .object({
    when: ConditionSchema,
    goto: z.union([IdSchema, z.literal(END)]),
    /** A label recorded on the state when this rule ends the dialog (e.g. `safety`). */
    outcome: IdSchema.optional(),
  })
  .strict();

const StepBase = {
  id: IdSchema,
  /** Ask this step only when the condition holds; otherwise it is skipped. */
  when: ConditionSchema.optional(),
  next: z.array(RuleSchema).optional(),
};

/** A message with no answer; the dialog goes straight on. Text key: `<dialog>.<step>.text`. */
export const SayStepSchema = z.object({ ...StepBase, kind: z.literal('say') }).strict();

/** One answer from a list of buttons. Text keys: `.prompt`, `.choices.<id>`, and `.hint` when `hint` is set. */
export const SingleStepSchema = z
  .object({
    ...StepBase,
    kind: z.literal('single'),
    choices: z.array(IdSchema).min(2).max(12),
    hint: z.boolean().optional(),
  })
  .strict();

/** Any number of answers from a list. `exclusive` choices (like "none") cannot be combined with others. */
export const MultiStepSchema = z
  .object({
    ...StepBase,
    kind: z.literal('multi'),
    choices: z.array(IdSchema).min(2).max(12),
    min: z.number().int().min(0).default(0),
    max: z.number().int().min(1).optional(),
    exclusive: z.array(IdSchema).optional(),
    hint: z.boolean().optional(),
  })
  .strict();

/** A number on a scale. Text keys: `.prompt`, `.min`, `.max`. */
export const ScaleStepSchema = z
  .object({
    ...StepBase,
    kind: z.literal('scale'),
    min: z.number().int(),
    max: z.number().int(),
    hint: z.boolean().optional(),
  })
  .strict()
  .refine((s) => s.max > s.min && s.max - s.min <= 10, {
    message: 'max must be above min, at most 10 apart',
    path: ['max'],
  });

/**
 * A short typed answer. Text keys: `.prompt`, `.placeholder`, and `.hint` when `hint` is set — or, with
 * `hint: perPlatform`, `.hint.slack`, `.hint.teams` and `.hint.console`: where the answer is typed, and who can
 * see it, differ per platform, and the hint must be true on each.
 */
export const TextStepSchema = z
  .object({
    ...StepBase,
    kind: z.literal('text'),
    maxLength: z.number().int().min(1).max(1000),
    optional: z.boolean().default(true),
    hint: z.union([z.boolean(), z.literal('perPlatform')]).optional(),
    /** An optional extra after the questions (a note): shown as "tot slot", left out of the "vraag 3 van 7" count. */
    extra: z.boolean().optional(),
  })
  .strict()
  .refine((s) => !s.extra || s.optional, { message: 'an extra step must be optional', path: ['extra'] });

export const StepSchema = z.discriminatedUnion('kind', [
  SayStepSchema,
  SingleStepSchema,
  MultiStepSchema,
  ScaleStepSchema,
  TextStepSchema,
]);

/** A whole dialog, as stored in `dialogs/<id>.yaml`. */
export const DialogDefinitionSchema = z
  .object({
    id: IdSchema,
    /** Bump when steps change: a stored state of another version ends politely. */
    version: z.number().int().min(1),
    /** How long a half-finished dialog is kept, in hours. */
    expiresAfterHours: z
      .number()
      .positive()
      .max(24 * 90)
      .default(72),
    steps: z.array(StepSchema).min(1),
  })
  .strict()
  .superRefine((def, ctx) => {
    const ids = new Map<string, number>();
    def.steps.forEach((step, index) => {
      if (ids.has(step.id))
        ctx.addIssue({ code: 'custom', message: `duplicate step id "${step.id}"`, path: ['steps', index, 'id'] });
      ids.set(step.id, index);
    });
    const choicesOf = (id: string): string[] | undefined => {
      const step = def.steps[ids.get(id) ?? -1];
      return step && 'choices' in step ? step.choices : undefined;
    };
    const checkCondition = (c: Condition, at: number, path: (string | number)[]): void => {
      if (c.step !== undefined) {
        const target = ids.get(c.step);
        if (target === undefined)
          ctx.addIssue({ code: 'custom', message: `unknown step "${c.step}"`, path: [...path, 'step'] });
        else if (target > at)
          ctx.addIssue({
            code: 'custom',
            message: `step "${c.step}" comes later, so it has no answer yet`,
            path: [...path, 'step'],
          });
        const choices = choicesOf(c.step);
        for (const key of ['in', 'includesAll'] as const) {
          for (const choice of c[key] ?? []) {
            if (choices && !choices.includes(choice))
              ctx.addIssue({
                code: 'custom',
                message: `"${choice}" is not a choice of step "${c.step}"`,
                path: [...path, key],
              });
          }
        }
      }
      for (const [i, sub] of (c.anyOf ?? []).entries()) checkCondition(sub, at, [...path, 'anyOf', i]);
      for (const [i, sub] of (c.allOf ?? []).entries()) checkCondition(sub, at, [...path, 'allOf', i]);
      if (c.not) checkCondition(c.not, at, [...path, 'not']);
    };
    def.steps.forEach((step, index) => {
      if (step.when) checkCondition(step.when, index - 1, ['steps', index, 'when']);
      step.next?.forEach((rule, r) => {
        checkCondition(rule.when, index, ['steps', index, 'next', r, 'when']);
        if (rule.goto !== END) {
          const target = ids.get(rule.goto);
          if (target === undefined)
            ctx.addIssue({
              code: 'custom',
              message: `unknown step "${rule.goto}"`,
              path: ['steps', index, 'next', r, 'goto'],
            });
          else if (target <= index)
            ctx.addIssue({
              code: 'custom',
              message: 'a rule may only jump forward',
              path: ['steps', index, 'next', r, 'goto'],
            });
        }
      });
      if (step.kind === 'multi') {
        for (const choice of step.exclusive ?? [])
          if (!step.choices.includes(choice))
            ctx.addIssue({
              code: 'custom',
              message: `"${choice}" is not a choice`,
              path: ['steps', index, 'exclusive'],
            });
        if (step.max !== undefined && step.max < step.min)
          ctx.addIssue({ code: 'custom', message: 'max is below min', path: ['steps', index, 'max'] });
        if (step.min > step.choices.length)
          ctx.addIssue({
            code: 'custom',
            message: 'min is more than the number of choices',
            path: ['steps', index, 'min'],
          });
      }
    });
    if (!def.steps.some((s) => s.kind !== 'say'))
      ctx.addIssue({ code: 'custom', message: 'a dialog needs at least one question', path: ['steps'] });
  });

export type DialogDefinition = z.infer<typeof DialogDefinitionSchema>;
export type Step = z.infer<typeof StepSchema>;
export type QuestionStep = Exclude<Step, { kind: 'say' }>;
export type Rule = z.infer<typeof RuleSchema>;
