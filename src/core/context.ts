import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Config } from '../config.js';
import type { KeyedHash } from '../crypto/pseudonym.js';
import type { Address } from '../outbound/address-book.js';
import type { AdmitMoment, DialogRunner, DialogTurn } from '../dialog/runner.js';
import type { DialogState } from '../dialog/types.js';
import type { BroadcastKind } from '../delivery/types.js';
import type { RouteSpec } from '../http/router.js';
import type { Button, InboundEvent, Locale, Route, Translate, TurnIO } from '../message/types.js';
import type { KeyValueStore } from '../store/store.js';

/** Everything a handler needs for one turn. Built by the pipeline per event. */
export interface TurnContext extends DialogTurn {
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
  /** The person's dialogs: the open one, resume, back, stop. */
  readonly dialogs: DialogRunner<TurnContext>;
  /** A keyed hash, for keys derived from platform ids (never store the id itself). */
  readonly hash: KeyedHash;
  /** Every feature in the table, in order (for what spans them all, like "mijn gegevens"). */
  readonly features: readonly Feature[];
  /** Keep how to reach this person later (they opted in to something that writes to them); their address. */
  rememberAddress(): Promise<Address>;
  /** Forget how to reach this person: their address and its place in the installation's list ("vergeet mij"). */
  forgetAddress(): Promise<boolean>;
  /**
   * Drop this person's recorded work that is still unfinished (events in flight, or left by a crash), so it is not
   * run again after "vergeet mij"; the current event's own record is left to end with its turn. Returns how many.
   */
  forgetPendingWork(): Promise<number>;
  /** Run another command of any feature by its name, as if the person had typed it. */
  runCommand(name: string, args?: string): Promise<void>;
}

/** What a control sent besides its route: the option picked, the options ticked, the text typed. */
export interface ActionInput {
  choice?: string;
  values?: string[];
  text?: string;
  /** A submitted form's fields by id. */
  fields?: Record<string, string | string[]>;
}

/** Who may use a command or a button. Organiser commands never show in the menus people see. */
export type Audience = 'everyone' | 'organiser';

/** A chat command: its words (Dutch first, English aliases; matched ignoring case, accents and hyphens). */
export interface CommandSpec {
  words: readonly string[];
  /** `taal en`, `leer m3`: the command may be followed by one or two words. Others must stand alone. */
  takesArgument?: boolean;
  /**
   * Listed in the platforms' command menus and in Slack's usage hint: in the personal chat only, or also in team
   * channels and group chats. Teams allows 10 per scope. Commands for organisers are never listed.
   */
  menu?: 'personal' | 'everywhere';
  audience?: Audience;
  run(ctx: TurnContext, args: string): Promise<void>;
}

/** A button's verb: the zod schema of its route data, and what it does. */
export interface ActionSpec<S extends z.ZodType = z.ZodType> {
  data: S;
  audience?: Audience;
  run(ctx: TurnContext, data: z.infer<S>, input: ActionInput): Promise<void>;
}

/** A dialog a feature owns (dialogs/<id>.yaml): what happens when a person finishes it. */
export interface DialogSpec {
  onDone(ctx: TurnContext, state: DialogState): Promise<void>;
  /** The command that starts it, for the "start again" button when a run is stopped, expired or gone. */
  command?: string;
  /**
   * May the person take part now (consent to the current text)? Asked before the dialog starts and before every
   * answer, back or stop. On false the owner has already told the person why (asked for consent at the start,
   * explained a withdrawal at an answer) and the runner stores nothing.
   */
  admit?(ctx: TurnContext, moment: AdmitMoment): Promise<boolean>;
}

/** What a feature undid before "vergeet mij", for an honest confirmation. */
export interface ForgetReport {
  /** What it is about to delete, in the person's language ("2 resultaten van de check-in, met je notitie"). */
  deleted: string[];
  /** Messages showing the person's data that the bot deleted on the platform. */
  messagesRemoved: number;
  /** Messages showing the person's data that it could not delete: the person has to remove those. */
  messagesLeft: number;
}

/** What a feature keeps about a person: shown by "mijn gegevens", cleaned up before "vergeet mij". */
export interface PersonDataSpec {
  /** Lines for "mijn gegevens", in the person's language; empty when the feature keeps nothing about them. */
  describe(ctx: TurnContext): Promise<string[]>;
  /**
   * What forgetting will do besides deleting, for the confirmation "vergeet mij" shows before it acts (the seats it
   * will free), in the person's language; empty or absent when nothing.
   */
  forgetEffects?(ctx: TurnContext): Promise<string[]>;
  /**
   * Runs before the person's keys are deleted: undo what keys alone cannot (delete messages that showed results)
   * and report what will go and what it could not delete, so the confirmation says so.
   */
  beforeForget?(ctx: TurnContext): Promise<ForgetReport | undefined>;
  /**
   * For the JSON export of "mijn gegevens" (the right of access): what the feature keeps about the person, in its own
   * terms, as plain JSON; undefined when nothing. The export also lists every stored key as kept.
   */
  export?(ctx: TurnContext): Promise<unknown>;
  /**
   * A PSEUDONYM_KEY rotation moves the person from `from` (an older key's pseudonym) to `to` (the current one) before
   * their turn runs. The core moves every tracked key itself (src/core/rekey.ts); this renames the person where keys
   * cannot reach: members of shared indexes (a seat, a subscriber list), queued jobs and ids derived from the
   * pseudonym. It runs while the person's own data is still under `from`, and must be safe to run again: a move cut
   * short runs it again at the person's next event.
   */
  rekey?(from: string, to: string): Promise<void>;
}

/**
 * A feature plugs into the bot through one table entry: its commands, the verbs of its buttons, the dialogs it
 * owns and what it keeps about a person. Ids are unique across features; the core refuses duplicates at start-up.
 */
export interface Feature {
  /** The route namespace of its buttons (`Route.feature`). */
  readonly id: string;
  readonly commands?: Readonly<Record<string, CommandSpec>>;
  readonly actions?: Readonly<Record<string, ActionSpec>>;
  readonly dialogs?: Readonly<Record<string, DialogSpec>>;
  readonly personData?: PersonDataSpec;
  /** The bot was installed for a person or in a conversation (after the core remembered a channel's address). */
  onInstall?(ctx: TurnContext): Promise<void>;
  /** The bot was removed from a conversation (after the core forgot the addresses that went with it). */
  onUninstall?(ctx: TurnContext): Promise<void>;
  /**
   * A command is about to run (any feature's): the person moves on, so a feature can drop what was meant to live
   * only until then (a check-in result the person did not keep).
   */
  beforeCommand?(ctx: TurnContext, name: string): Promise<void>;
  /**
   * A message that is no command and no answer to an open question. The first feature that returns true has
   * answered it; the core's own fallback answers otherwise.
   */
  onMessage?(ctx: TurnContext, text: string): Promise<boolean>;
  /** Kinds of broadcast the feature delivers through the broadcaster (an announcement, a reminder). */
  readonly broadcastKinds?: Readonly<Record<string, BroadcastKind>>;
  /** HTTP routes the feature serves on the shared server (the organiser API), mounted by the composition root. */
  readonly routes?: readonly RouteSpec[];
  /** May this person use what is meant for `audience`? The core asks every feature; one yes is enough. */
  authorize?(ctx: TurnContext, audience: Audience): Promise<boolean>;
  /** Start background work (queue workers, schedules) once the server runs; not for the menus' dry build. */
  start?(): Promise<void>;
}

/** Declare a verb with its data schema; keeps `run`'s data typed from the schema. */
export function action<S extends z.ZodType>(data: S, run: ActionSpec<S>['run'], audience?: Audience): ActionSpec<S> {
  return audience ? { data, run, audience } : { data, run };
}

/** A route to a feature's verb. */
export function routeTo(feature: string, verb: string, data?: Record<string, string>): Route {
  return data ? { feature, verb, data } : { feature, verb };
}

/** The core's own route that runs a command by name (help cards, welcome buttons, the App Home). */
export const CORE_FEATURE = 'core';
export const commandRoute = (name: string, args?: string): Route =>
  routeTo(CORE_FEATURE, 'command', args ? { name, args } : { name });

/** Send options for anything personal: in a shared channel it goes to the person's private chat instead. */
export function privately(ctx: Pick<TurnContext, 'event'>): { direct: boolean } {
  return { direct: !ctx.event.conversation.isDirect };
}

/** A button to a route; the one helper every feature builds its buttons with. */
export function button(label: string, route: Route, style?: 'primary' | 'danger'): Button {
  return style ? { label, route, style } : { label, route };
}
