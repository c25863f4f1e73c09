import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type {
  AdapterHost,
  ChatAdapter,
  ConversationRef,
  InboundEvent,
  Locale,
  OutboundMessage,
  SentRef,
  TurnIO,
  UserRef,
} from '../../src/core/index.js';
import {
  formFieldPrompt,
  readFormAnswer,
  readLine,
  renderForConsole,
  type ConsoleTranslate,
  type Prompt,
} from './render.js';

export interface ConsoleAdapterConfig {
  input: Readable;
  output: Writable;
  /** Texts of the terminal's own hints, in the message's language. */
  translate: (locale: Locale, key: string, vars?: Record<string, string | number>) => string;
  defaultLocale: Locale;
  /** Show a "> " prompt (interactive terminals only). */
  showPrompt?: boolean;
}

/** The terminal adapter, plus `finished`: resolves once input has ended and every turn is done. */
export interface ConsoleAdapter extends ChatAdapter {
  readonly finished: Promise<void>;
  /** The language of the last message shown, for a goodbye in the same language. */
  readonly locale: Locale;
}

/** The person at the terminal: the same person in every session, so a check-in left half-way resumes. */
const USER: UserRef = { platform: 'console', tenantId: 'local', userId: 'terminal' };

/** Talk to Bubbelbreker in a terminal: one line in, numbered choices out. Lines are handled one at a time. */
export function createConsoleAdapter(config: ConsoleAdapterConfig): ConsoleAdapter {
  // Every session is a conversation of its own: it starts with a welcome, as a new chat does.
  const CONVERSATION: ConversationRef = {
    platform: 'console',
    tenantId: 'local',
    conversationId: `terminal-${randomUUID()}`,
    isDirect: true,
  };
  let prompt: Prompt | undefined;
  let sequence = 0;
  let resolveFinished: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
  let readlineClose: (() => void) | undefined;

  let lastLocale: Locale = config.defaultLocale;
  /** The form being filled in: its fields are asked one by one, then submitted together. */
  let form:
    | { block: NonNullable<Prompt['form']>; index: number; values: Record<string, string | string[]> }
    | undefined;
  const write = (message: OutboundMessage): SentRef => {
    lastLocale = message.locale ?? lastLocale;
    const t: ConsoleTranslate = (key, vars) => config.translate(message.locale ?? config.defaultLocale, key, vars);
    const rendered = renderForConsole(message, t);
    if (rendered.prompt.picks.length > 0 || rendered.prompt.input || rendered.prompt.scale) prompt = rendered.prompt;
    if (rendered.prompt.form) form = { block: rendered.prompt.form, index: 0, values: {} };
    config.output.write(`\n${rendered.text}\n`);
    sequence += 1;
    return { conversation: CONVERSATION, messageId: String(sequence) };
  };

  const io: TurnIO = {
    send: async (message) => write(message),
    // A terminal cannot change what it printed: a named earlier card stays as it was (the core also writes a
    // short line at the bottom); a reply to the line just typed is printed.
    update: async (message, card) => {
      if (!card) write(message);
    },
    remove: async () => false,
  };

  const base = () => ({
    id: randomUUID(),
    platform: 'console' as const,
    user: USER,
    conversation: CONVERSATION,
    receivedAt: Date.now(),
  });

  const toEvent = (line: string, isCommand: (text: string) => boolean): InboundEvent | undefined => {
    // Commands always win, so "stop", "terug" and "help" work in the middle of any question.
    if (isCommand(line)) {
      form = undefined;
      return { ...base(), kind: 'message', text: line };
    }
    if (form) return formLine(line);
    const action = readLine(line, prompt);
    if (action)
      return { ...base(), kind: 'action', action, source: { conversation: CONVERSATION, messageId: String(sequence) } };
    return { ...base(), kind: 'message', text: line };
  };

  /** One line of a form: the current field's answer; the next field's question, or the submission after the last. */
  function formLine(line: string): InboundEvent | undefined {
    const current = form;
    if (!current) return undefined;
    const field = current.block.fields[current.index];
    const t: ConsoleTranslate = (key, vars) => config.translate(lastLocale, key, vars);
    if (!field) return undefined;
    const answer = readFormAnswer(field, line);
    if (answer === undefined) {
      config.output.write(
        `\n${t('console.formAgain')}\n${formFieldPrompt(field, current.index, current.block.fields.length, t)}\n`,
      );
      return undefined;
    }
    current.values[field.id] = answer;
    current.index += 1;
    const next = current.block.fields[current.index];
    if (next) {
      config.output.write(`\n${formFieldPrompt(next, current.index, current.block.fields.length, t)}\n`);
      return undefined;
    }
    form = undefined;
    return { ...base(), kind: 'action', action: { route: current.block.route, fields: current.values } };
  }

  return {
    platform: 'console',
    finished,
    get locale() {
      return lastLocale;
    },
    async start(host: AdapterHost) {
      const rl = createInterface({ input: config.input, terminal: false });
      readlineClose = () => rl.close();
      const showPrompt = () => {
        if (config.showPrompt) config.output.write('> ');
      };
      // Iterate from now on: readline drops lines emitted before iteration starts, and the install turn below
      // waits for I/O (the store's commit, a Redis round trip), during which piped input is already read.
      const lines = rl[Symbol.asyncIterator]();
      await host.receive({ ...base(), kind: 'install' }, io);
      showPrompt();
      // Handle lines strictly in order; end of input ends the chat once the last turn is done.
      void (async () => {
        for await (const line of { [Symbol.asyncIterator]: () => lines }) {
          if (line.trim() === '') {
            showPrompt();
            continue;
          }
          const event = toEvent(line, host.isCommand);
          if (event) await host.receive(event, io);
          showPrompt();
        }
        resolveFinished();
      })();
    },
    async stop() {
      readlineClose?.();
      await finished;
    },
    send: async (_to, message) => write(message),
    update: async (_sent, message) => {
      write(message);
    },
    openDirect: async () => CONVERSATION,
  };
}
