/**
 * "Mijn gegevens" and "vergeet mij": what Bubbelbreker keeps about the person, and erasing all of it after a
 * confirmation. Every feature says what it keeps (its `personData`); the store's person index finds every key.
 * Only the person themself, as the platform identifies them, can ask: there is no way to name someone else.
 * The confirmation is honest: it says what was deleted, and which messages are still on the screen because the
 * platform would not let the bot delete them, with what the person can do about those on their platform.
 * Consent (consent.ts): its "ja" and "nee" buttons, and "intrekken", which withdraws it: processing stops and the
 * person is forgotten at once, without a second question (withdrawing must be as easy as agreeing).
 */
import { z } from 'zod';
import { action, commandRoute, type Feature, privately, routeTo, type TurnContext } from '../../core/context.js';
import { loadPrefs } from '../../core/prefs.js';
import { formatDate } from '../checkin/text.js';
import { textMessage } from '../../dialog/render.js';
import { plainText } from '../../message/plain-text.js';
import type { Block, OutboundMessage } from '../../message/types.js';
import type { FeatureDeps } from '../../core/feature-deps.js';
import {
  buildExport,
  exportFilesOf,
  exportLinks,
  exportRoute,
  offerExport,
  removeExportFiles,
  writeExportFile,
} from './export.js';
import { CONSENT_FEATURE, CONSENT_VERSION, type Consent, withdrawRoute } from './consent.js';

export const PRIVACY_FEATURE = CONSENT_FEATURE;

const NoData = z.object({}).strict();
/** "Ja, ik doe mee": the version of the text on the card, and the dialog it opens. */
const ConsentData = z.object({ v: z.string().regex(/^\d{1,4}$/), d: z.string().min(1).max(64) }).strict();

/** `deps` adds the JSON export as a signed link at PUBLIC_URL (Slack, Teams); without it only the terminal file. */
export function createPrivacyFeature(consent: Consent, deps?: FeatureDeps): Feature {
  const links = deps ? exportLinks(deps) : undefined;

  /** The JSON document of everything kept: a file in the terminal, a short-lived link elsewhere. */
  async function exportData(ctx: TurnContext): Promise<void> {
    const document = await buildExport(ctx, deps?.sealer);
    let text: string;
    let block: Block;
    if (ctx.event.platform === 'console') {
      const path = writeExportFile(ctx.config.store.databasePath, document);
      // The terminal shows the document itself too: the right of access is the data, not only where it is.
      block = {
        type: 'text',
        text: `${ctx.t('common.myData.exportFile', { path })}\n${JSON.stringify(document, null, 2)}`,
        verbatim: true,
      };
      text = block.text;
    } else {
      const link = deps && links ? await offerExport(ctx, deps, links, document) : undefined;
      if (link) {
        block = { type: 'links', links: [{ label: ctx.t('common.myData.exportLink'), url: link }] };
        text = `${ctx.t('common.myData.exportLink')}: ${link}`;
      } else {
        block = { type: 'text', text: ctx.t('common.myData.exportUnavailable') };
        text = block.text;
      }
    }
    const blocks: Block[] = [block, { type: 'text', text: ctx.t('common.myData.exportNote'), tone: 'muted' }];
    await ctx.io.send({ text: plainText(blocks) || text, blocks }, privately(ctx));
  }

  async function myData(ctx: TurnContext): Promise<void> {
    const stored = await ctx.store.keysOf(ctx.person);
    const lines: string[] = [];
    if (await ctx.dialogs.active(ctx)) lines.push(ctx.t('common.myData.openDialog'));
    const prefs = await loadPrefs(ctx.store, ctx.person);
    if (prefs?.locale)
      lines.push(ctx.t('common.myData.prefs', { locale: ctx.t(`common.language.names.${prefs.locale}`) }));
    for (const feature of ctx.features) if (feature.personData) lines.push(...(await feature.personData.describe(ctx)));
    const blocks: Block[] = [{ type: 'heading', text: ctx.t('common.myData.title') }];
    blocks.push({
      type: 'text',
      text: lines.length > 0 ? lines.map((l) => `• ${l}`).join('\n') : ctx.t('common.myData.nothing'),
    });
    blocks.push({
      type: 'text',
      text: ctx.t('common.myData.retention', { days: ctx.config.retentionDays }),
      tone: 'muted',
    });
    const agreed = await consent.current(ctx);
    if (agreed)
      blocks.push({
        type: 'text',
        text: ctx.t('privacy.consent.given', { version: agreed.version, date: formatDate(ctx.locale, agreed.at) }),
      });
    if (stored.length > 0) {
      blocks.push({
        type: 'buttons',
        buttons: [
          { label: ctx.t('common.buttons.exportData'), route: routeTo(PRIVACY_FEATURE, 'export') },
          { label: ctx.t('common.buttons.forgetMe'), route: commandRoute('forgetMe') },
          ...(agreed ? [{ label: ctx.t('privacy.withdraw.button'), route: withdrawRoute() }] : []),
        ],
      });
    }
    await ctx.io.send({ text: plainText(blocks), blocks }, privately(ctx));
  }

  async function forgetMe(ctx: TurnContext): Promise<void> {
    // Nothing kept: say so at once, and write nothing about the person (no confirmation to press).
    const files = ctx.event.platform === 'console' ? exportFilesOf(ctx.config.store.databasePath, ctx.person) : [];
    if ((await ctx.store.keysOf(ctx.person)).length === 0 && files.length === 0 && !(await ctx.dialogs.active(ctx))) {
      await ctx.io.send(textMessage(ctx.t('common.forget.nothing')), privately(ctx));
      return;
    }
    // Said before it happens: what forgetting does besides deleting (seats freed for the next person waiting).
    const effects: string[] = [];
    for (const feature of ctx.features) effects.push(...((await feature.personData?.forgetEffects?.(ctx)) ?? []));
    const blocks: Block[] = [
      { type: 'text', text: [ctx.t('common.forget.confirm'), ...effects.map((line) => `• ${line}`)].join('\n') },
      {
        type: 'buttons',
        buttons: [
          { label: ctx.t('common.buttons.forgetConfirm'), route: routeTo(PRIVACY_FEATURE, 'confirm'), style: 'danger' },
          { label: ctx.t('common.buttons.cancel'), route: routeTo(PRIVACY_FEATURE, 'cancel') },
        ],
      },
    ];
    await ctx.io.send({ text: plainText(blocks), blocks }, privately(ctx));
  }

  /**
   * `withdraw`: consent withdrawn ("intrekken"): the same erasure, said in its own words, as new messages (the
   * button may sit on a result card that the erasure deletes).
   */
  async function forgetConfirmed(ctx: TurnContext, mode: 'forget' | 'withdraw' = 'forget'): Promise<void> {
    const answer =
      mode === 'withdraw'
        ? (m: OutboundMessage) => ctx.io.send(m, privately(ctx))
        : (m: OutboundMessage) => ctx.io.update(m);
    const deleted: string[] = [];
    if (await ctx.dialogs.active(ctx)) {
      deleted.push(ctx.t('common.forget.deleted.dialog'));
      await ctx.dialogs.retireCard(ctx, 'common.card.forgotten');
    }
    if ((await loadPrefs(ctx.store, ctx.person))?.locale) deleted.push(ctx.t('common.forget.deleted.prefs'));
    if (await consent.current(ctx)) deleted.push(ctx.t('privacy.consent.deleted'));
    // Features undo first what keys alone cannot (messages that showed results); then every key goes at once.
    let removedMessages = 0;
    let leftMessages = 0;
    for (const feature of ctx.features) {
      const report = await feature.personData?.beforeForget?.(ctx);
      if (!report) continue;
      deleted.push(...report.deleted);
      removedMessages += report.messagesRemoved;
      leftMessages += report.messagesLeft;
    }
    // How to reach the person is listed in the installation's shared list too; it goes with their keys.
    const addressRemoved = await ctx.forgetAddress();
    // Work of theirs still recorded for recovery (a crash left it) is not run again after this.
    const pendingWork = await ctx.forgetPendingWork();
    // The terminal's export files hold everything too: they are the person's data, beside the database.
    const files = ctx.event.platform === 'console' ? removeExportFiles(ctx.config.store.databasePath, ctx.person) : 0;
    if (files > 0) deleted.push(ctx.t('common.forget.deleted.exportFiles', { count: files }));
    const removed = (await ctx.store.forget(ctx.person)) + (addressRemoved ? 1 : 0) + files + pendingWork;
    if (removed === 0) {
      await answer(textMessage(ctx.t(mode === 'withdraw' ? 'privacy.withdraw.nothing' : 'common.forget.nothing')));
      return;
    }
    const blocks: Block[] = [
      { type: 'heading', text: ctx.t(mode === 'withdraw' ? 'privacy.withdraw.title' : 'common.forget.title') },
      {
        type: 'text',
        text: [ctx.t('common.forget.done'), ...(deleted.length > 0 ? deleted : [ctx.t('common.forget.deleted.rest')])]
          .map((line, i) => (i === 0 ? line : `• ${line}`))
          .join('\n'),
      },
    ];
    if (removedMessages > 0)
      blocks.push({ type: 'text', text: ctx.t('common.forget.messagesRemoved', { count: removedMessages }) });
    if (leftMessages > 0)
      blocks.push({
        type: 'text',
        text: ctx.t(`common.forget.messagesLeft.${ctx.event.platform}`, { count: leftMessages }),
      });
    await answer({ text: plainText(blocks), blocks });
  }

  /** "Ja, ik doe mee": kept with the version of the text the person read, then the check-in starts. */
  async function agree(ctx: TurnContext, version: number, dialogId: string): Promise<void> {
    const owned = ctx.features.some((f) => f.dialogs && Object.hasOwn(f.dialogs, dialogId));
    if (!owned) return void (await ctx.io.update(textMessage(ctx.t('errors.unknownAction'), 'muted')));
    // A card from before the text changed: the person has not read this version; show it instead.
    if (version !== CONSENT_VERSION) return void (await ctx.io.update(consent.card(ctx, dialogId)));
    const given = await consent.give(ctx);
    await ctx.io.update(
      textMessage(ctx.t('privacy.consent.thanks', { version: given.version, date: formatDate(ctx.locale, given.at) })),
    );
    await ctx.startDialog(dialogId);
  }

  return {
    id: PRIVACY_FEATURE,
    commands: {
      myData: { words: ['mijn gegevens', 'my data', 'gegevens'], menu: 'personal', run: myData },
      forgetMe: { words: ['vergeet mij', 'forget me', 'vergeet me'], menu: 'personal', run: forgetMe },
      exportData: { words: ['download mijn gegevens', 'download my data', 'export'], run: exportData },
      withdraw: {
        words: ['intrekken', 'withdraw', 'toestemming intrekken', 'withdraw consent'],
        run: (ctx) => forgetConfirmed(ctx, 'withdraw'),
      },
    },
    ...(deps && links ? { routes: [exportRoute(deps, links)] } : {}),
    actions: {
      confirm: action(NoData, (ctx) => forgetConfirmed(ctx)),
      export: action(NoData, exportData),
      withdraw: action(NoData, (ctx) => forgetConfirmed(ctx, 'withdraw')),
      consent: action(ConsentData, (ctx, data) => agree(ctx, Number(data.v), data.d)),
      // Nothing is stored: not the answer no, not that the card was shown.
      decline: action(NoData, (ctx) => ctx.io.update(declined(ctx))),
      cancel: action(NoData, (ctx) => ctx.io.update(textMessage(ctx.t('common.forget.cancelled')))),
    },
  };
}

/** "Nee, liever niet": fine, nothing is kept; what can be done without taking part. */
function declined(ctx: TurnContext): OutboundMessage {
  const blocks: Block[] = [
    { type: 'text', text: ctx.t('privacy.consent.declined') },
    { type: 'buttons', buttons: [{ label: ctx.t('common.buttons.learn'), route: commandRoute('learn') }] },
  ];
  return { text: plainText(blocks), blocks };
}
