/**
 * The check-in as a bot feature: `checkin`, `leer`, `mijn resultaten`; the result's and the learn cards'
 * buttons; and what happens when the check-in dialog ends (the safety route, or diagnose → save → result).
 */
import { z } from 'zod';
import { action, button, commandRoute, privately, type Feature, type TurnContext } from '../../core/context.js';
import type { OutboundMessage, SentRef } from '../../message/types.js';
import type { Answer, DialogState } from '../../dialog/types.js';
import { escalationContacts, tenantHash } from '../../core/tenant-settings.js';
import type { Sealer } from '../../crypto/sealer.js';
import { errorFacts } from '../../http/errors.js';
import type { Consent } from '../privacy/consent.js';
import { looksLikeItNamesSomeone } from './note-names.js';
import { diagnose } from './diagnosis.js';
import type { Diagnosis } from './model.js';
import {
  buildExplainerCard,
  buildLearnList,
  buildLearnNotFound,
  buildModuleCard,
  EXPLAINER_TOPICS,
  resolveLearnTarget,
} from './explainers.js';
import { findModule, suggestModules, type ModuleCatalogue } from './modules.js';
import { buildResultMessage, type ResultView, USEFUL_VOTES } from './result.js';
import { CHECKIN_FEATURE, checkinRoutes } from './routes.js';
import { createResultsRepo, type ResultsRepo, type StoredResult } from './results-repo.js';
import { buildSafetyRoute } from './safety.js';
import { readDiagnosis } from './stored-diagnosis.js';
import { formatDate, message, type RenderContext } from './text.js';

/** The dialog id of the check-in (dialogs/checkin.yaml). */
export const CHECKIN_DIALOG = 'checkin';

export interface CheckinFeatureDeps {
  /** The module catalogue, loaded at start-up with loadModuleCatalogue(config.modulesPath). */
  catalogue: ModuleCatalogue;
  /** Consent before the first political question (the privacy feature keeps and withdraws it). */
  consent: Consent;
  /** Seals the note (DATA_KEY). */
  sealer: Sealer;
  /** Result ids (tests); default random. */
  newId?: () => string;
  /**
   * Called once a result was shown, with the diagnosis and the module ids suggested (the organisers' anonymous
   * insights count it). A failure there is logged and never reaches the person.
   */
  onResultShown?: (ctx: TurnContext, shown: { diagnosis: Diagnosis; modules: string[] }) => Promise<void>;
}

const ResultData = z.object({ id: z.string().min(1).max(64) }).strict();
const ExplainData = z.object({ id: z.string().min(1).max(64), open: z.enum(['0', '1']) }).strict();
const UsefulData = z.object({ id: z.string().min(1).max(64), vote: z.enum(USEFUL_VOTES) }).strict();
const TopicData = z.object({ topic: z.string().min(1).max(40) }).strict();
/** Commands that only look (or erase): they do not count as starting something else. */
const LOOKING = new Set([
  'myResults',
  'myData',
  'exportData',
  'help',
  'language',
  'dutch',
  'english',
  'forgetMe',
  'withdraw',
]);
const NoData = z.object({}).strict();

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
      noteRetentionDays: ctx.config.noteRetentionDays,
      sealer: deps.sealer,
      ...(deps.newId ? { newId: deps.newId } : {}),
    });

  /** A result that is gone: where to look instead; for someone who withdrew, why nothing is kept. */
  const notFound = async (ctx: TurnContext): Promise<OutboundMessage> =>
    (await deps.consent.current(ctx)) ? notFoundMessage(ctx) : deps.consent.notTakingPart(ctx);

  async function viewOf(ctx: TurnContext, result: StoredResult, explain = false): Promise<ResultView> {
    const note = await repoOf(ctx).note(ctx.person, result.id, ctx.now);
    return {
      resultId: result.id,
      diagnosis: result.diagnosis,
      suggestions: suggestModules(catalogue, result.diagnosis),
      expiresAt: result.expiresAt,
      kept: result.kept,
      retentionDays: ctx.config.retentionDays,
      ...(note ? { note } : {}),
      explain,
      // Inline pictures only in local mode (the playground): a deployment links them from PUBLIC_URL, and a card
      // with a picture inside is larger than a Teams message may be with a long explanation open.
      picture: {
        publicUrl: ctx.config.publicUrl,
        ...(ctx.config.localMode ? { publicDir: ctx.config.publicDir } : {}),
      },
    };
  }

  /** Send a result privately and remember the message, so "forget" can delete it. */
  async function sendResult(ctx: TurnContext, repo: ResultsRepo, result: StoredResult): Promise<void> {
    const ref = await ctx.io.send(buildResultMessage(await viewOf(ctx, result), rcOf(ctx)), { direct: true });
    if (ref) await repo.rememberSent(ctx.person, result.id, ref, ctx.now);
  }

  /** "Toon uitleg" / "Verberg uitleg": the same result card, with or without the explanation, in place. */
  async function explain(ctx: TurnContext, resultId: string, open: boolean): Promise<void> {
    const result = await repoOf(ctx).get(ctx.person, resultId, ctx.now);
    if (!result) return void (await ctx.io.send(await notFound(ctx), { direct: true }));
    await ctx.io.update(buildResultMessage(await viewOf(ctx, result, open), rcOf(ctx)));
  }

  async function onCheckinDone(ctx: TurnContext, state: DialogState): Promise<void> {
    const diagnosis = diagnose(state.answers);
    const repo = repoOf(ctx);
    if (state.outcome === 'safety' || diagnosis.flags.safety) {
      // Coaching stops here. Nothing of the answers is kept; only an anonymous count that the route was shown.
      await repo.countSafetyRoute();
      await ctx.io.send(
        buildSafetyRoute(rcOf(ctx), {
          // The organisers of this workspace or tenant may have set their own contacts.
          escalation: await escalationContacts(
            ctx.store,
            ctx.config,
            tenantHash(ctx.hash, ctx.event.platform, ctx.event.user.tenantId),
          ),
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
    const note = noteText(state.answers.note);
    if (note) await repo.setNote(ctx.person, result.id, note, ctx.now);
    await sendResult(ctx, repo, result);
    // Never logged: the note, or whether it seemed to name someone.
    if (note && looksLikeItNamesSomeone(note)) await ctx.io.send(noteWarning(ctx, result.id), { direct: true });
    ctx.log.info({ dialogId: CHECKIN_DIALOG }, 'check-in result sent');
    if (deps.onResultShown) {
      const modules = suggestModules(catalogue, diagnosis).map((s) => s.module.id);
      await deps.onResultShown(ctx, { diagnosis, modules }).catch((error: unknown) => {
        ctx.log.warn(errorFacts(error), 'result hook failed');
      });
    }
  }

  /**
   * A new check-in: results the person did not keep go first. As a command they went already (`beforeCommand`
   * below); the restart button is no command, so it drops them here.
   */
  async function startCheckin(ctx: TurnContext): Promise<void> {
    await ctx.startDialog(CHECKIN_DIALOG);
  }
  async function restartCheckin(ctx: TurnContext): Promise<void> {
    await repoOf(ctx).dropUnkept(ctx.person, ctx.now);
    await startCheckin(ctx);
  }

  /** The note changed: the messages that show the result show it as it is now. */
  async function refreshResult(ctx: TurnContext, resultId: string): Promise<void> {
    const repo = repoOf(ctx);
    const result = await repo.get(ctx.person, resultId, ctx.now);
    if (!result) return;
    const message = buildResultMessage(await viewOf(ctx, result), rcOf(ctx));
    for (const ref of await repo.sentFor(ctx.person, resultId))
      await ctx.io.update(message, ref).catch(() => undefined);
  }

  async function noteAction(ctx: TurnContext, resultId: string, what: 'keep' | 'edit' | 'remove', typed?: string) {
    const repo = repoOf(ctx);
    if (!(await repo.get(ctx.person, resultId, ctx.now))) return void (await ctx.io.update(await notFound(ctx)));
    if (what === 'keep') return void (await ctx.io.update(text(ctx.t('result.noteCheck.kept'), 'muted')));
    if (what === 'edit' && typed === undefined) return void (await ctx.io.update(noteEditor(ctx, resultId)));
    const words = (typed ?? '').trim();
    if (what === 'remove' || words === '') {
      await repo.removeNote(ctx.person, resultId);
      await refreshResult(ctx, resultId);
      return void (await ctx.io.update(text(ctx.t('result.noteCheck.removed'))));
    }
    await repo.setNote(ctx.person, resultId, words.slice(0, NOTE_MAX), ctx.now);
    await refreshResult(ctx, resultId);
    await ctx.io.update(
      looksLikeItNamesSomeone(words) ? noteWarning(ctx, resultId) : text(ctx.t('result.noteCheck.changed')),
    );
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
            buttons: [button(ctx.t('result.buttons.restart'), checkinRoutes.restart())],
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
          track: ctx.t(`result.trackPlain.${readDiagnosis(r.diagnosis).track}`),
          phase,
          until: formatDate(rc.locale, r.expiresAt),
        }),
      });
      const note = await repoOf(ctx).note(ctx.person, r.id, ctx.now);
      if (note) blocks.push({ type: 'text', text: ctx.t('result.note', { note }), verbatim: true });
      blocks.push({
        type: 'buttons',
        buttons: [
          button(ctx.t('result.buttons.show'), checkinRoutes.show(r.id)),
          button(ctx.t('result.buttons.forget'), checkinRoutes.forget(r.id), 'danger'),
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

  async function showResult(ctx: TurnContext, resultId: string): Promise<void> {
    const repo = repoOf(ctx);
    const result = await repo.get(ctx.person, resultId, ctx.now);
    if (result) await sendResult(ctx, repo, result);
    else await ctx.io.send(await notFound(ctx));
  }

  async function keep(ctx: TurnContext, resultId: string): Promise<void> {
    const kept = await repoOf(ctx).markKept(ctx.person, resultId, ctx.now);
    await ctx.io.send(
      kept ? text(ctx.t('result.kept', { date: formatDate(ctx.locale, kept.expiresAt) })) : await notFound(ctx),
    );
    if (kept) await refreshResult(ctx, resultId);
  }

  async function forget(ctx: TurnContext, resultId: string): Promise<void> {
    const { removed, sent } = await repoOf(ctx).remove(ctx.person, resultId, ctx.now);
    if (!removed) return void (await ctx.io.send(await notFound(ctx)));
    // The result and its note are erased, not only unlinked: out of the database journal too.
    await ctx.store.checkpoint?.();
    const failed = await removeMessages(ctx, sent);
    // Honest: the messages the platform would not let the bot delete are named, with what the person can do.
    const lines = [ctx.t('result.forgotten')];
    if (failed > 0) lines.push(ctx.t(`common.forget.messagesLeft.${ctx.event.platform}`, { count: failed }));
    await ctx.io.send(text(lines.join('\n')));
  }

  async function useful(ctx: TurnContext, resultId: string, vote: string): Promise<void> {
    if (!(await deps.consent.current(ctx))) return void (await ctx.io.send(deps.consent.notTakingPart(ctx)));
    const counted = await repoOf(ctx).recordUseful(ctx.person, resultId, vote, ctx.now);
    await ctx.io.send(text(ctx.t(counted ? 'result.useful.thanks' : 'result.useful.already'), 'muted'));
  }

  async function showModule(ctx: TurnContext, moduleId: string): Promise<void> {
    const module = findModule(catalogue, moduleId);
    await ctx.io.send(module ? buildModuleCard(module, rcOf(ctx)) : buildLearnNotFound(catalogue, rcOf(ctx)));
  }

  async function showTopic(ctx: TurnContext, topicId: string): Promise<void> {
    const topic = EXPLAINER_TOPICS.find((t) => t === topicId);
    await ctx.io.send(topic ? buildExplainerCard(topic, rcOf(ctx)) : buildLearnList(catalogue, rcOf(ctx)));
  }

  return {
    id: CHECKIN_FEATURE,
    commands: {
      checkin: { words: ['checkin', 'check in'], menu: 'everywhere', run: startCheckin },
      learn: { words: ['leer', 'learn', 'leren'], takesArgument: true, menu: 'everywhere', run: learn },
      myResults: {
        words: ['mijn resultaten', 'my results', 'resultaten', 'results'],
        menu: 'personal',
        run: myResults,
      },
    },
    actions: {
      keep: action(ResultData, (ctx, data) => keep(ctx, data.id)),
      forget: action(ResultData, (ctx, data) => forget(ctx, data.id)),
      show: action(ResultData, (ctx, data) => showResult(ctx, data.id)),
      explain: action(ExplainData, (ctx, data) => explain(ctx, data.id, data.open === '1')),
      restart: action(NoData, restartCheckin),
      noteKeep: action(ResultData, (ctx, data) => noteAction(ctx, data.id, 'keep')),
      noteEdit: action(ResultData, (ctx, data, input) => noteAction(ctx, data.id, 'edit', input.text)),
      noteRemove: action(ResultData, (ctx, data) => noteAction(ctx, data.id, 'remove')),
      useful: action(UsefulData, (ctx, data) => useful(ctx, data.id, data.vote)),
      module: action(ResultData, (ctx, data) => showModule(ctx, data.id)),
      learn: action(TopicData, (ctx, data) => showTopic(ctx, data.topic)),
    },
    async beforeCommand(ctx, name) {
      // Starting something else: a result the person did not choose to keep goes now.
      if (!LOOKING.has(name)) await repoOf(ctx).dropUnkept(ctx.person, ctx.now);
    },
    dialogs: {
      [CHECKIN_DIALOG]: {
        onDone: onCheckinDone,
        command: 'checkin',
        // Without consent to the current text no answer is taken: the start asks for it.
        admit: (ctx, moment) => deps.consent.admit(ctx, moment, CHECKIN_DIALOG),
      },
    },
    personData: {
      async describe(ctx) {
        const repo = repoOf(ctx);
        const results = await repo.list(ctx.person, ctx.now);
        if (results.length === 0) return [];
        const notes = await countNotes(ctx, repo, results);
        const last = Math.max(...results.map((r) => r.expiresAt));
        return [ctx.t('result.myData', { count: results.length, notes, until: formatDate(ctx.locale, last) })];
      },
      async beforeForget(ctx) {
        const repo = repoOf(ctx);
        const results = await repo.list(ctx.person, ctx.now);
        // The messages that showed a result are deleted where the platform allows it; the rest is reported.
        const sent = await repo.sentMessages(ctx.person, ctx.now);
        const left = await removeMessages(ctx, sent);
        const notes = await countNotes(ctx, repo, results);
        return {
          deleted: results.length > 0 ? [ctx.t('result.forgetDeleted', { count: results.length, notes })] : [],
          messagesRemoved: sent.length - left,
          messagesLeft: left,
        };
      },
    },
  };
}

/** The note's length limit (dialogs/checkin.yaml). */
const NOTE_MAX = 280;

/** The note the person typed at the end of the check-in, when they wrote one. */
function noteText(answer: Answer | undefined): string | undefined {
  const text = answer && typeof answer === 'object' && !Array.isArray(answer) ? answer.text.trim() : '';
  return text === '' ? undefined : text;
}

async function countNotes(ctx: TurnContext, repo: ResultsRepo, results: StoredResult[]): Promise<number> {
  const notes = await Promise.all(results.map((r) => repo.note(ctx.person, r.id, ctx.now)));
  return notes.filter((n) => n !== undefined).length;
}

/** The note seems to name someone: keep it, change it, or delete it. Gently; the person decides. */
function noteWarning(ctx: TurnContext, resultId: string): OutboundMessage {
  return message([
    { type: 'text', text: ctx.t('result.noteCheck.warning') },
    {
      type: 'buttons',
      buttons: [
        button(ctx.t('result.noteCheck.keep'), checkinRoutes.noteKeep(resultId)),
        button(ctx.t('result.noteCheck.edit'), checkinRoutes.noteEdit(resultId), 'primary'),
        button(ctx.t('result.noteCheck.remove'), checkinRoutes.noteRemove(resultId)),
      ],
    },
  ]);
}

/** Write the note again: typed in the card (Teams, terminal) or in a window (Slack); empty deletes it. */
function noteEditor(ctx: TurnContext, resultId: string): OutboundMessage {
  const label = ctx.t('result.noteCheck.editPrompt');
  return message([
    { type: 'heading', text: label },
    {
      type: 'text',
      text: ctx.t(`checkin.note.hint.${ctx.event.platform}`, { noteDays: ctx.config.noteRetentionDays }),
      tone: 'muted',
    },
    {
      type: 'input',
      label,
      placeholder: ctx.t('checkin.note.placeholder'),
      maxLength: NOTE_MAX,
      submitLabel: ctx.t('common.buttons.submit'),
      route: checkinRoutes.noteEdit(resultId),
    },
  ]);
}

/** "This result no longer exists", and where to look instead. */
function notFoundMessage(ctx: TurnContext): OutboundMessage {
  return message([
    { type: 'text', text: ctx.t('result.notFound') },
    { type: 'buttons', buttons: [button(ctx.t('common.buttons.myResults'), commandRoute('myResults'))] },
  ]);
}

/** Delete messages the bot sent; returns how many could not be deleted (the person must remove those). */
async function removeMessages(ctx: TurnContext, refs: readonly SentRef[]): Promise<number> {
  let failed = 0;
  for (const ref of refs) if (!(await ctx.io.remove(ref).catch(() => false))) failed += 1;
  return failed;
}
