/**
 * Platform-neutral types shared by the core and every adapter.
 * Everything here is plain JSON so it can be stored and sent between replicas.
 */

/** The chat platforms Bubbelbreker speaks on. */
export const PLATFORMS = ['slack', 'teams', 'console'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** A supported interface language. Dutch is the default. */
export type Locale = 'nl' | 'en';

/** Who a person is on a platform. Raw ids never leave the adapter/core boundary except inside refs. */
export interface UserRef {
  platform: Platform;
  /** Slack team id, Teams tenant id, `local` for the console. */
  tenantId: string;
  userId: string;
  /** Platform-specific extras only the owning adapter reads (e.g. Teams aadObjectId). */
  extra?: Record<string, string>;
}

/** Where a message can be sent; storable for proactive messages. */
export interface ConversationRef {
  platform: Platform;
  tenantId: string;
  conversationId: string;
  /** Thread to answer in (Slack thread_ts, Teams reply chain), when any. */
  threadId?: string;
  /** True for a 1:1 conversation between the bot and one person. */
  isDirect: boolean;
  /** Platform-specific extras only the owning adapter reads (e.g. Teams serviceUrl). */
  extra?: Record<string, string>;
}

/** A message the bot sent, so it can be updated or deleted later. */
export interface SentRef {
  conversation: ConversationRef;
  messageId: string;
}

/**
 * Where a control leads: a feature, one of its verbs, and the verb's data. Data values are strings only, so a route
 * survives every platform's encoding unchanged (a Slack action_id, an Adaptive Card's data, a terminal number);
 * each verb declares a zod schema that reads them back. Features build routes; only adapters encode them.
 */
export interface Route {
  feature: string;
  verb: string;
  data?: Record<string, string>;
}

/** What a person did with a control: its route, plus what they picked or typed in it. */
export interface ActionPayload {
  route: Route;
  /** The option of a single-choice list or a scale that was picked. */
  choice?: string;
  /** The options ticked in a multi-choice list. */
  values?: string[];
  /** Text typed into an input (empty when an optional input was skipped). */
  text?: string;
  /** The fields of a submitted form, by field id: text as typed, a choice's id, ticked ids, a date-time. */
  fields?: Record<string, string | string[]>;
}

interface InboundBase {
  /** Stable id used for de-duplication (Slack event_id / action trigger, Teams activity id). */
  id: string;
  platform: Platform;
  user: UserRef;
  conversation: ConversationRef;
  /**
   * Locale reported by the platform, when known (`nl-NL`, `en-US`, …). Not used to pick the language: that is the
   * person's own choice, else the deployment's (Dutch first).
   */
  locale?: string;
  /** The person's IANA time zone (`Europe/Amsterdam`), when the platform tells it. */
  timeZone?: string;
  /** ms since epoch. */
  receivedAt: number;
  /** Run again after a crash: it may have had its effect already (the inbox finishes work at most once more). */
  replayed?: boolean;
}

/** A person typed something (a 1:1 message or a mention). */
export interface MessageEvent extends InboundBase {
  kind: 'message';
  text: string;
  /** True when the bot was @mentioned in a shared channel. */
  isMention?: boolean;
}

/** A person pressed a button, ticked choices or submitted a card. */
export interface ActionEvent extends InboundBase {
  kind: 'action';
  action: ActionPayload;
  /** The message that carried the action, so it can be updated in place. */
  source?: SentRef;
}

/** A slash command or command-menu entry: `/bubbelbreker checkin`. */
export interface CommandEvent extends InboundBase {
  kind: 'command';
  /** The text after the command name, e.g. `checkin` or `taal en`. */
  text: string;
}

/** The bot was installed for a person or in a conversation. */
export interface InstallEvent extends InboundBase {
  kind: 'install';
}

/** The bot was removed. */
export interface UninstallEvent extends InboundBase {
  kind: 'uninstall';
}

/** Everything an adapter can hand to the core. */
export type InboundEvent = MessageEvent | ActionEvent | CommandEvent | InstallEvent | UninstallEvent;

/** One option of a choice block. */
export interface Choice {
  id: string;
  label: string;
  /** Longer text for screen readers and tooltips, when the label is terse. */
  description?: string;
}

/** A plain button (not a dialog answer): help, more about a module, start again. */
export interface Button {
  label: string;
  route: Route;
  /** Visual emphasis only; meaning is always in the label. */
  style?: 'primary' | 'danger';
}

/**
 * One field of a form. `datetime` values are ISO 8601: with an offset when the platform knows the moment
 * (`2026-12-01T13:00:00.000Z`), or a wall-clock time `2026-12-01T14:00` that the feature reads in the person's zone.
 * `channels` is a Slack channel picker (ids); other platforms render it as a text field of ids.
 */
export interface FormField {
  id: string;
  label: string;
  kind: 'text' | 'textarea' | 'choice' | 'multichoice' | 'datetime' | 'channels';
  required?: boolean;
  /** What the field holds already (a draft, or what was typed before an error): shown, never lost. */
  value?: string | string[];
  placeholder?: string;
  /** A short explanation under the field. */
  hint?: string;
  maxLength?: number;
  /** For `choice` and `multichoice`. */
  choices?: Choice[];
}

/** Neutral building blocks; only an adapter's renderer turns them into Block Kit or Adaptive Cards. */
export type Block =
  | { type: 'heading'; text: string }
  /** `verbatim`: a person's own words (their note), shown as typed, never read as formatting or links. */
  | { type: 'text'; text: string; tone?: 'normal' | 'muted' | 'warning'; verbatim?: boolean }
  | { type: 'single'; label: string; choices: Choice[]; route: Route }
  | {
      type: 'multi';
      label: string;
      choices: Choice[];
      selected?: string[];
      submitLabel: string;
      route: Route;
    }
  | {
      type: 'scale';
      label: string;
      min: number;
      max: number;
      minLabel: string;
      maxLabel: string;
      route: Route;
    }
  | {
      type: 'input';
      label: string;
      placeholder?: string;
      maxLength: number;
      submitLabel: string;
      /** Label of the button that skips an optional input (it sends empty text); absent when required. */
      skipLabel?: string;
      route: Route;
    }
  | { type: 'progress'; current: number; total: number; label: string }
  | { type: 'facts'; facts: { label: string; value: string }[] }
  | { type: 'links'; links: { label: string; url: string }[] }
  /**
   * A picture and its words. `alt` is what a screen reader says; `text` is the compact line a client shows that
   * cannot show pictures (the terminal). `url` is a public https address; `inline` a `data:` URI for a client
   * that accepts one (Teams without a public address). A renderer that can show neither shows `text`.
   */
  | { type: 'image'; alt: string; text: string; url?: string; inline?: string }
  | { type: 'buttons'; buttons: Button[] }
  | { type: 'divider' }
  | {
      /**
       * Several fields submitted at once: a Slack modal (opened from the command or a button), an Adaptive Card
       * with inputs in Teams, one prompt after another in the terminal. The submission is an action on `route`
       * with `fields`; `openRoute` shows the form again (a Slack button that opens the modal).
       */
      type: 'form';
      title: string;
      fields: FormField[];
      submitLabel: string;
      route: Route;
      openRoute: Route;
      /** Why the last submission was refused, shown above the fields. */
      error?: string;
      /** The field `error` is about, when it is about one: a platform that can shows the reason under it. */
      errorField?: string;
    };

/** A message from the core, already translated. */
export interface OutboundMessage {
  /** Plain-text summary: notification text, screen-reader fallback and terminal output. */
  text: string;
  blocks: Block[];
  /** The language the message is written in; set by the bot, for the adapter's own labels. */
  locale?: Locale;
}

/** How the core answers inside a turn; provided by the adapter for every event. */
export interface TurnIO {
  /** Send a new message to the event's conversation, or to the person 1:1 when `direct` is set. */
  send(message: OutboundMessage, options?: { direct?: boolean }): Promise<SentRef | undefined>;
  /**
   * Replace a message in place: `target` (a question card the bot sent earlier), or else the message the action
   * came from. Without either, or where the platform cannot, it sends instead — except `target` on a client that
   * cannot change what it showed (the terminal), which leaves it as it is.
   */
  update(message: OutboundMessage, target?: SentRef): Promise<void>;
  /** Delete a message the bot sent earlier, where the platform allows it. Returns false when it cannot. */
  remove(ref: SentRef): Promise<boolean>;
}

/** Runs the turn of one inbound event; the adapter has acknowledged the platform (or answers with the turn). */
export type InboundSink = (event: InboundEvent, io: TurnIO) => Promise<void>;

/** Variables for a message: ICU MessageFormat arguments. */
export type MessageVars = Record<string, string | number>;

/** Looks a text key up in one locale (Dutch default, English fallback). */
export type Translate = (key: string, vars?: MessageVars) => string;
