/**
 * The check-in as a bot feature: `checkin`, `leer`, `mijn resultaten`; the result's and the learn cards'
 * buttons; and what happens when the check-in dialog ends (the safety route, or diagnose → save → result).
 */
import { privately, type Feature, type TurnContext } from '../../core/context.js';
import type { ActionPayload, OutboundMessage } from '../../core/types.js';
import type { DialogState } from '../../dialog/types.js';
import { diagnose } from './diagnosis.js';
import {
  buildExplainerCard,
  buildLearnList,
  buildLearnNotFound,
  buildModuleCard,
  EXPLAINER_TOPICS,
  LEARN_ACTIONS,
  resolveLearnTarget,
} from './explainers.js';
import { findModule, suggestModules, type ModuleCatalogue } from './modules.js';
import { buildResultMessage, MODULE_ACTIONS, RESULT_ACTIONS, actionButton, type ResultView } from './result.js';
import { createResultsRepo, type ResultsRepo, type StoredResult } from './results-repo.js';
import { buildSafetyRoute } from './safety.js';
import { formatDate, message, type RenderContext } from './text.js';

/** The dialog id of the check-in (dialogs/checkin.yaml). */
export const CHECKIN_DIALOG = 'checkin';

export interface CheckinFeatureDeps {
  /** The module catalogue, loaded at start-up with loadModuleCatalogue(config.modulesPath). */
  catalogue: ModuleCatalogue;
  /** Result ids (tests); default random. */
  newId?: () => string;
}

const rcOf = (ctx: TurnContext): RenderContext => ({ t: ctx.t, locale: ctx.locale });
const text = (body: string, tone: 'normal' | 'muted' | 'warning' = 'normal'): OutboundMessage =>
  message([{ type: 'text', text: body, tone }]);

/** The module that answers the safety flag, for the route's button. */
function safetyModuleId(catalogue: ModuleCatalogue): string | undefined {
  return catalogue.modules.find((m) => m.suggestWhen.some((r) => r.when.flag === 'safety'))?.id;
}

export function createCheckinFeature(deps: CheckinFeatureDeps): Feature {
  const { catalogue } = deps;
  const repoOf = (ctx: TurnContext): ResultsRepo =>
    createResultsRepo(ctx.store, {
      retentionDays: ctx.config.retentionDays,
      ...(deps.newId ? { newId: deps.newId } : {}),
    });

  function viewOf(result: StoredResult): ResultView {
    return {
      resultId: result.id,
      diagnosis: result.diagnosis,
      suggestions: suggestModules(catalogue, result.diagnosis),
      expiresAt: result.expiresAt,
    };
  }

  /** Send a result privately and remember the message, so "forget" can delete it. */
  async function sendResult(ctx: TurnContext, repo: ResultsRepo, result: StoredResult): Promise<void> {
    const ref = await ctx.io.send(buildResultMessage(viewOf(result), rcOf(ctx)), { direct: true });
    if (ref) await repo.rememberSent(ctx.person, result.id, ref, ctx.now);
  }

  async function onCheckinDone(ctx: TurnContext, state: DialogState): Promise<void> {
    const diagnosis = diagnose(state.answers);
    const repo = repoOf(ctx);
    if (state.outcome === 'safety' || diagnosis.flags.safety) {
      // Coaching stops here. Nothing of the answers is kept; only an anonymous count that the route was shown.
      await repo.countSafetyRoute();
      await ctx.io.send(
        buildSafetyRoute(rcOf(ctx), {
          escalation: ctx.config.escalation,
          moduleId: safetyModuleId(catalogue),
          doxxing: diagnosis.flags.doxxing,
        }),
        { direct: true },
      );
      ctx.log.info({ dialogId: CHECKIN_DIALOG }, 'safety route shown');
      return;
    }
    const result = await repo.save(ctx.person, {
      answers: state.answers,
      diagnosis,
      dialogVersion: state.version,
      now: ctx.now,
    });
    await sendResult(ctx, repo, result);
    ctx.log.info({ dialogId: CHECKIN_DIALOG }, 'check-in result sent');
  }

  async function learn(ctx: TurnContext, args: string): Promise<void> {
    const rc = rcOf(ctx);
    const target = resolveLearnTarget(args, catalogue);
    switch (target.kind) {
      case 'list':
        return void (await ctx.io.send(buildLearnList(catalogue, rc)));
      case 'topic':
        return void (await ctx.io.send(buildExplainerCard(target.topic, rc)));
      case 'module':
        return void (await ctx.io.send(buildModuleCard(target.module, rc)));
      default:
        return void (await ctx.io.send(buildLearnNotFound(catalogue, rc)));
    }
  }

  async function myResults(ctx: TurnContext): Promise<void> {
    const results = await repoOf(ctx).list(ctx.person, ctx.now);
    if (results.length === 0) {
      await ctx.io.send(
        message([
          { type: 'text', text: ctx.t('result.list.empty') },
          {
            type: 'buttons',
            buttons: [actionButton(ctx.t('result.buttons.restart'), { dialogId: RESULT_ACTIONS, stepId: 'restart' })],
          },
        ]),
        privately(ctx),
      );
      return;
    }
    const rc = rcOf(ctx);
    const blocks: Parameters<typeof message>[0] = [
      { type: 'heading', text: ctx.t('result.list.title', { count: results.length }) },
    ];
    for (const r of results) {
      const phase = r.diagnosis.glasl ? ctx.t(`result.phase.${r.diagnosis.glasl.phase}`) : ctx.t('result.list.noPhase');
      blocks.push({
        type: 'text',
        text: ctx.t('result.list.item', {
          date: formatDate(rc.locale, r.createdAt),
          track: ctx.t(`result.track.${r.diagnosis.track}`),
          phase,
          until: formatDate(rc.locale, r.expiresAt),
        }),
      });
      blocks.push({
        type: 'buttons',
        buttons: [
          actionButton(ctx.t('result.buttons.show'), { dialogId: RESULT_ACTIONS, stepId: 'show', choiceId: r.id }),
          actionButton(
            ctx.t('result.buttons.forget'),
            { dialogId: RESULT_ACTIONS, stepId: 'forget', choiceId: r.id },
            'danger',
          ),
        ],
      });
    }
    blocks.push({
      type: 'text',
      text: ctx.t('result.list.privacy', { days: ctx.config.retentionDays }),
      tone: 'muted',
    });
    await ctx.io.send(message(blocks), privately(ctx));
  }

  async function onResultAction(ctx: TurnContext, action: ActionPayload): Promise<void> {
    const repo = repoOf(ctx);
    const resultId = action.choiceId ?? '';
    switch (action.stepId) {
      case 'restart':
        return ctx.startDialog(CHECKIN_DIALOG);
      case 'show': {
        const result = await repo.get(ctx.person, resultId, ctx.now);
        if (result) await sendResult(ctx, repo, result);
        else await ctx.io.send(text(ctx.t('result.notFound'), 'muted'));
        return;
      }
      case 'keep': {
        const kept = await repo.markKept(ctx.person, resultId, ctx.now);
        await ctx.io.send(
          kept
            ? text(ctx.t('result.kept', { date: formatDate(ctx.locale, kept.expiresAt) }))
            : text(ctx.t('result.notFound'), 'muted'),
        );
        return;
      }
      case 'forget': {
        const { removed, sent } = await repo.remove(ctx.person, resultId, ctx.now);
        let failed = 0;
        for (const ref of sent) if (!(await ctx.io.remove(ref).catch(() => false))) failed += 1;
        const body = removed ? ctx.t('result.forgotten') : ctx.t('result.notFound');
        await ctx.io.send(text(failed > 0 ? `${body}\n${ctx.t('result.forgottenManual', { count: failed })}` : body));
        return;
      }
      case 'useful': {
        // The vote is the choice; the result id rides in `text` (see buildResultMessage).
        const counted = await repo.recordUseful(ctx.person, action.text ?? '', action.choiceId ?? '', ctx.now);
        await ctx.io.send(text(ctx.t(counted ? 'result.useful.thanks' : 'result.useful.already'), 'muted'));
        return;
      }
      default:
        await ctx.io.send(text(ctx.t('errors.unknownAction'), 'muted'));
    }
  }

  async function onModuleAction(ctx: TurnContext, action: ActionPayload): Promise<void> {
    const module = findModule(catalogue, action.choiceId ?? '');
    await ctx.io.send(module ? buildModuleCard(module, rcOf(ctx)) : buildLearnNotFound(catalogue, rcOf(ctx)));
  }

  async function onLearnAction(ctx: TurnContext, action: ActionPayload): Promise<void> {
    const topic = EXPLAINER_TOPICS.find((t) => t === action.choiceId);
    await ctx.io.send(topic ? buildExplainerCard(topic, rcOf(ctx)) : buildLearnList(catalogue, rcOf(ctx)));
  }

  return {
    commands: {
      checkin: (ctx) => ctx.startDialog(CHECKIN_DIALOG),
      learn,
      myResults,
    },
    actions: {
      [RESULT_ACTIONS]: onResultAction,
      [MODULE_ACTIONS]: onModuleAction,
      [LEARN_ACTIONS]: onLearnAction,
    },
    onDialogDone: { [CHECKIN_DIALOG]: onCheckinDone },
    async describeData(ctx) {
      const results = await repoOf(ctx).list(ctx.person, ctx.now);
      if (results.length === 0) return [];
      const notes = results.filter((r) => r.answers.note !== undefined).length;
      const last = Math.max(...results.map((r) => r.expiresAt));
      return [ctx.t('result.myData', { count: results.length, notes, until: formatDate(ctx.locale, last) })];
    },
  };
}
