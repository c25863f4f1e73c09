import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DialogState } from '../dialog/types.js';
import type { KeyValueStore } from '../store/store.js';
import type { ActionPayload, InboundEvent, Locale, TurnIO } from './types.js';

/** Variables for a message: ICU MessageFormat arguments. */
export type MessageVars = Record<string, string | number>;

/** Looks a text key up in the turn's locale (Dutch default, English fallback). */
export type Translate = (key: string, vars?: MessageVars) => string;

/** The canonical command names; the router maps Dutch and English words onto these. */
export type CommandName =
  | 'help'
  | 'checkin'
  | 'stop'
  | 'back'
  | 'language'
  | 'learn'
  | 'myResults'
  | 'myData'
  | 'forgetMe';

/** Everything a handler needs for one turn. Built by the bot per event. */
export interface TurnContext {
  readonly event: InboundEvent;
  readonly io: TurnIO;
  /** The person's pseudonym: the keyed hash of (platform, tenant, user). */
  readonly person: string;
  readonly locale: Locale;
  readonly t: Translate;
  readonly store: KeyValueStore;
  /** A child logger for this event; never give it user text. */
  readonly log: Logger;
  readonly config: Config;
  /** ms since epoch, fixed for the turn. */
  readonly now: number;
  /** Start (or restart) a dialog for this person and send its first question. */
  startDialog(dialogId: string): Promise<void>;
}

/** A feature plugs commands, non-dialog actions and dialog endings into the bot. */
export interface Feature {
  /** Command handlers; `args` is what follows the command word. */
  readonly commands?: Partial<Record<CommandName, (ctx: TurnContext, args: string) => Promise<void>>>;
  /** Handlers for buttons outside a dialog, by `ActionPayload.dialogId` namespace (e.g. `result`). */
  readonly actions?: Record<string, (ctx: TurnContext, action: ActionPayload) => Promise<void>>;
  /** Called when a dialog with this id ends with status `done` (also for an `outcome` such as `safety`). */
  readonly onDialogDone?: Record<string, (ctx: TurnContext, state: DialogState) => Promise<void>>;
  /** Extra lines for "mijn gegevens": what this feature keeps about the person. */
  describeData?(ctx: TurnContext): Promise<string[]>;
}

/** Send options for anything personal: in a shared channel it goes to the person's private chat instead. */
export function privately(ctx: Pick<TurnContext, 'event'>): { direct: boolean } {
  return { direct: !ctx.event.conversation.isDirect };
}
