import type {
  ConversationRef,
  InboundEvent,
  InboundSink,
  Locale,
  OutboundMessage,
  Platform,
  SentRef,
  TurnIO,
  UserRef,
} from './types.js';

/**
 * A chat platform as seen by the core: transport and rendering only.
 *
 * @example
 * const adapter = createConsoleAdapter({ input: process.stdin, output: process.stdout, ... });
 * await adapter.start(host);
 * await adapter.send(ref, { text: 'Hallo', blocks: [{ type: 'text', text: 'Hallo' }] });
 */
export interface ChatAdapter {
  readonly platform: Platform;
  /** Mount routes or open the socket, and hand every inbound event to the host. */
  start(host: AdapterHost): Promise<void>;
  /** Stop taking new events; resolves when turns in flight have finished. */
  stop(): Promise<void>;
  /** Send a new message to a stored conversation (proactive). */
  send(to: ConversationRef, message: OutboundMessage): Promise<SentRef>;
  /** Replace an earlier message in place. */
  update(sent: SentRef, message: OutboundMessage): Promise<void>;
  /** Open (or find) the 1:1 conversation with a person. */
  openDirect(user: UserRef): Promise<ConversationRef>;
  /** Delete an earlier message, where the platform allows it. */
  remove?(sent: SentRef): Promise<boolean>;
  /** Run again the work recorded with `host.accept` (its `payload`), after a crash left it unfinished. */
  replay?(payload: unknown): Promise<void>;
}

/** What an adapter records with an event so the work can be run again after a crash (see AdapterHost.accept). */
export interface InboxReplay {
  /** The adapter's own description of the work (plain JSON); only that adapter reads it. */
  payload: unknown;
  /** The person the event came from, so "vergeet mij" reaches the record too. */
  user?: UserRef;
  /**
   * When the platform says the event happened (ms since 1970), the same on every redelivery (Slack's event_time).
   * The inbox files its de-duplication claim by it, so claims of the same moment sit together on disk.
   */
  sentAt?: number;
}

/** Encrypted records an adapter keeps for itself (installations, their tokens), under keys the core derives. */
export interface AdapterVault {
  get<T>(name: string): Promise<T | undefined>;
  set<T>(name: string, value: T, ttlMs?: number): Promise<void>;
  delete(name: string): Promise<void>;
}

/** What the core gives an adapter when it starts. Adapters never build store keys or pseudonyms themselves. */
export interface AdapterHost {
  /**
   * Record that an inbound event arrived, durably and once across replicas: true the first time, false for a
   * redelivery. With `replay`, what is needed to run the work again is kept until `finish`, and a process that
   * crashes before then has it finished later through the adapter's `replay`. Rejects (a StoreError) when it
   * cannot be recorded: the adapter then answers the platform with a retryable status, so it delivers again.
   */
  accept(platform: Platform, eventId: string, replay?: InboxReplay): Promise<boolean>;
  /**
   * Recorded work that is no turn is done (a turn is marked done by the core itself, unless the store failed it,
   * so it runs again once the store works).
   */
  finish(platform: Platform, eventId: string): Promise<void>;
  /** Run the turn of an accepted event. Never rejects: the core answers errors itself. */
  handle: InboundSink;
  /** `accept` and then `handle`, for adapters with nothing to do in between; false for a redelivery. */
  receive(event: InboundEvent, io: TurnIO): Promise<boolean>;
  /** True when the core reads `text` as one of its commands (the terminal uses it to tell commands from answers). */
  isCommand(text: string): boolean;
  /** The adapter's own encrypted records. */
  vault: AdapterVault;
  /** The deployment's default language, for the adapter's own labels before the core has spoken. */
  defaultLocale: Locale;
}
