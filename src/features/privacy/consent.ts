/**
 * Consent before the check-in's first political question. Answers can reveal a political opinion, so the person
 * first reads what is kept, for how long, who sees it and what the chat platform keeps itself, and says "ja, ik
 * doe mee". The version of that text and the moment are kept (sealed with DATA_KEY); someone who agreed to the
 * same version is not asked again. Without a consent to the current version no answer is taken or stored.
 * "Intrekken" forgets the person, consent included, so a withdrawn person is simply someone without consent: an
 * old button of theirs gets a short explanation, and nothing about the withdrawal is kept.
 */
import { setTracked } from '../../store/store.js';
import { button, commandRoute, privately, routeTo, type TurnContext } from '../../core/context.js';
import type { Sealer } from '../../crypto/sealer.js';
import type { AdmitMoment } from '../../dialog/runner.js';
import { textMessage } from '../../dialog/render.js';
import { DAY_MS } from '../../lib/time.js';
import { plainText } from '../../message/plain-text.js';
import type { Block, OutboundMessage, Translate } from '../../message/types.js';

/** Raise this whenever the consent text (`privacy.consent.text`) changes in meaning: everyone is asked again. */
export const CONSENT_VERSION = 1;

/** The route namespace of the consent buttons and of "intrekken" (the privacy feature owns them). */
export const CONSENT_FEATURE = 'privacy';

/** The button that withdraws consent ("intrekken"): in "mijn gegevens" and on a result. */
export const withdrawRoute = () => routeTo(CONSENT_FEATURE, 'withdraw');

/** Where a person's consent is kept: person-scoped, tracked, so "vergeet mij" and "intrekken" delete it. */
export const consentKey = (person: string): string => `privacy:consent:${person}`;

/** What is kept of a consent: the version of the text agreed to and when. */
export interface ConsentRecord {
  version: number;
  at: number;
}

/** The words of the consent text, filled in: the same in the card and in the check-in's reading budget. */
export function consentText(
  t: Translate,
  values: { platform: string; retentionDays: number; noteRetentionDays: number },
): string {
  return t('privacy.consent.text', {
    platform: values.platform,
    days: values.retentionDays,
    noteDays: values.noteRetentionDays,
  });
}

export interface Consent {
  /** The person's consent to the current text, if they gave it (and it has not expired). */
  current(ctx: TurnContext): Promise<ConsentRecord | undefined>;
  /** Keep that the person agreed to the current text now. */
  give(ctx: TurnContext): Promise<ConsentRecord>;
  /**
   * The gate of a dialog that needs consent: true when the person agreed to the current text. Otherwise, at the
   * start the consent card is shown; for an answer a short explanation (after "intrekken", or an expired consent).
   */
  admit(ctx: TurnContext, moment: AdmitMoment, dialogId: string): Promise<boolean>;
  /** The consent card: the text and "Ja, ik doe mee" / "Nee, liever niet"; yes starts `dialogId`. */
  card(ctx: TurnContext, dialogId: string): OutboundMessage;
  /** For an old button of a person without consent: nothing was taken, and how to take part again. */
  notTakingPart(ctx: TurnContext, command?: string): OutboundMessage;
}

export function createConsent(sealer: Sealer): Consent {
  // Kept as long as results may be kept; after that the person is asked again.
  const ttlOf = (ctx: TurnContext) => ctx.config.retentionDays * DAY_MS;

  async function current(ctx: TurnContext): Promise<ConsentRecord | undefined> {
    const key = consentKey(ctx.person);
    // A value that does not open (another key) is no consent: the person is simply asked again.
    const record = sealer.tryOpen<ConsentRecord>(await ctx.store.get(key), key);
    return record?.version === CONSENT_VERSION ? record : undefined;
  }

  /** Turns that wrote the consent already: the check-in they start right after need not write it again. */
  const justGiven = new WeakSet<TurnContext>();

  async function write(ctx: TurnContext, record: ConsentRecord): Promise<void> {
    const key = consentKey(ctx.person);
    await setTracked(ctx.store, ctx.person, key, sealer.seal(record, key), ttlOf(ctx));
  }

  function card(ctx: TurnContext, dialogId: string): OutboundMessage {
    const blocks: Block[] = [
      { type: 'heading', text: ctx.t('privacy.consent.title') },
      {
        type: 'text',
        text: consentText(ctx.t, {
          platform: ctx.event.platform,
          retentionDays: ctx.config.retentionDays,
          noteRetentionDays: ctx.config.noteRetentionDays,
        }),
      },
      {
        type: 'buttons',
        buttons: [
          button(
            ctx.t('privacy.consent.yes'),
            routeTo(CONSENT_FEATURE, 'consent', { v: String(CONSENT_VERSION), d: dialogId }),
            'primary',
          ),
          button(ctx.t('privacy.consent.no'), routeTo(CONSENT_FEATURE, 'decline')),
        ],
      },
    ];
    return { text: plainText(blocks), blocks };
  }

  function notTakingPart(ctx: TurnContext, command = 'checkin'): OutboundMessage {
    const blocks: Block[] = [
      { type: 'text', text: ctx.t('privacy.consent.notTakingPart') },
      {
        type: 'buttons',
        buttons: [button(ctx.t('common.buttons.checkin'), commandRoute(command))],
      },
    ];
    return { text: plainText(blocks), blocks };
  }

  return {
    current,
    async give(ctx) {
      const record = { version: CONSENT_VERSION, at: ctx.now };
      await write(ctx, record);
      justGiven.add(ctx);
      return record;
    },
    async admit(ctx, moment, dialogId) {
      const record = await current(ctx);
      if (record) {
        // Each new check-in keeps the consent for another retention period (same version, same moment).
        if (moment === 'start' && !justGiven.has(ctx)) await write(ctx, record);
        return true;
      }
      if (moment === 'start') {
        // Asked in the private chat, like the questions: a consent is the person's own.
        if (!ctx.event.conversation.isDirect) await ctx.io.send(textMessage(ctx.t('common.movedToDirect'), 'muted'));
        await ctx.io.send(card(ctx, dialogId), privately(ctx));
      } else {
        await ctx.io.send(notTakingPart(ctx), privately(ctx));
      }
      return false;
    },
    card,
    notTakingPart,
  };
}
