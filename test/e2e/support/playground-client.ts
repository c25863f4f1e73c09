/**
 * Drives the Microsoft 365 Agents Playground over the HTTP + WebSocket API its own web UI uses:
 * post messages, click card buttons as Action.Execute invokes or Action.Submit submits, and read what the bot
 * sends from the conversation stream. The API is internal to the playground (pinned at 0.2.28); every wait has a
 * timeout, because with the bot down the playground still answers 200 and nothing ever arrives.
 */
import { createServer } from 'node:net';
import WebSocket from 'ws';

type Json = Record<string, any>;

/** A message the bot sent, as the playground streams it. */
export interface BotMessage {
  messageId: string;
  text?: string;
  card?: Json;
}

/** One clickable thing on a card: the action and the inputs to send with it. */
export interface CardChoice {
  action: Json;
  inputs: Record<string, string>;
}

/** All text a person would read in a message (card text blocks, choices, facts, action titles). */
export function readable(message: BotMessage | Json | undefined): string {
  if (!message) return '';
  const parts: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node === 'string') parts.push(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Json;
      for (const key of ['text', 'title', 'value', 'label', 'fallbackText'])
        if (typeof n[key] === 'string') parts.push(n[key]);
      for (const [key, value] of Object.entries(n)) if (key !== 'data' && typeof value === 'object') walk(value);
    }
  };
  walk('card' in message || 'messageId' in message ? [message.text, message.card] : message);
  return parts.join('\n');
}

/** Every action on a card, in order. */
export function actionsOf(card: Json | undefined): Json[] {
  const out: Json[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Json;
      if (typeof n.type === 'string' && n.type.startsWith('Action.')) out.push(n);
      for (const [key, value] of Object.entries(n))
        if (key !== 'fallback' && key !== 'data' && typeof value === 'object') walk(value);
    }
  };
  walk(card?.body);
  walk(card?.actions);
  return out;
}

/**
 * What a careful person clicks to move a check-in forward: the first real answer (never "stop" or "back",
 * never a safety alarm — the first safety choice is "none"), one box on a multi-select, skip on an optional note.
 */
export function answerFor(card: Json): CardChoice | undefined {
  const body = (card.body ?? []) as Json[];
  // Answers carry the dialog's `answer` route; "terug" and "stoppen" carry `back` and `stop`.
  const actions = actionsOf(card).filter(
    (a) =>
      a.type === 'Action.Execute' && a.data?.bb?.route?.feature === 'dialog' && a.data?.bb?.route?.verb === 'answer',
  );
  const multi = body.find((el) => el.type === 'Input.ChoiceSet' && el.isMultiSelect);
  if (multi) {
    const submit = actions.find((a) => a.data?.bb?.choice === undefined);
    return submit && { action: submit, inputs: { [multi.id]: String(multi.choices[0].value) } };
  }
  const text = body.find((el) => el.type === 'Input.Text');
  if (text) {
    const skip = actions.find((a) => a.data?.bb?.skip === true);
    const submit = actions.find((a) => a.data?.bb?.skip !== true);
    return skip ? { action: skip, inputs: {} } : submit && { action: submit, inputs: { [text.id]: 'Een test' } };
  }
  const choice = actions.find((a) => a.data?.bb?.choice !== undefined);
  return choice && { action: choice, inputs: {} };
}

export class PlaygroundClient {
  readonly inbox: BotMessage[] = [];
  private ws: WebSocket | undefined;
  conversationId = '';
  userId = '';

  constructor(readonly baseUrl: string) {}

  async connect(): Promise<void> {
    const { config } = (await (await fetch(`${this.baseUrl}/_internal/v1/config`)).json()) as { config: Json };
    this.conversationId = config.personalChat.id;
    this.userId = config.currentUser.id;
    const ws = new WebSocket(`${this.baseUrl.replace(/^http/, 'ws')}/_ws_conversation/v1/conversations/stream`);
    ws.on('message', (data) => {
      const event = JSON.parse(String(data)) as Json;
      if (event.action !== 'createMessage' && event.action !== 'updateMessage') return;
      const m = event.message as Json;
      const card = (m.attachments as Json[] | undefined)?.find(
        (a) => a.contentType === 'application/vnd.microsoft.card.adaptive',
      )?.content;
      this.inbox.push({ messageId: String(m.messageId), text: m.text, card });
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    this.ws = ws;
  }

  close(): void {
    this.ws?.close();
  }

  private async post(path: string, body: unknown): Promise<Response> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`playground ${path} answered ${res.status}: ${await res.text()}`);
    return res;
  }

  /** Install the app in the personal chat, as the web UI does on load. */
  async install(): Promise<void> {
    await this.post(`/_debug/conversation/${this.conversationId}/installation`, {});
  }

  /** Type a message. */
  async say(text: string): Promise<void> {
    await this.post(`/_conversation/v1/conversations/${this.conversationId}/messages`, {
      type: 'text',
      text,
      textFormat: 'plain',
      from: { id: this.userId },
    });
  }

  /** Click an Action.Execute button: returns the invoke response (a refreshed card or a message). */
  async execute(messageId: string, choice: CardChoice): Promise<Json> {
    const data = { ...choice.action.data, ...choice.inputs };
    const res = await this.post('/_conversation/v1/invoke', {
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', title: choice.action.title, verb: choice.action.verb, data } },
      from: { id: this.userId },
      conversation: { id: this.conversationId },
      replyToId: messageId,
    });
    return (await res.json()) as Json;
  }

  /** Click the same button through its Action.Submit fallback (older Teams clients). */
  async submit(messageId: string, choice: CardChoice): Promise<void> {
    const fallback = choice.action.fallback ?? choice.action;
    await this.post('/_conversation/v1/submit', {
      conversation: { id: this.conversationId },
      replyToId: messageId,
      value: { ...fallback.data, ...choice.inputs },
      from: { id: this.userId },
    });
  }

  /** Wait for a message sent after `since` (an inbox index) that matches. */
  async waitFor(predicate: (m: BotMessage) => boolean, since = 0, timeoutMs = 10_000): Promise<BotMessage> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.inbox.slice(since).find(predicate);
      if (found) return found;
      if (Date.now() > until)
        throw new Error(
          `no matching bot message within ${timeoutMs} ms; got:\n${this.inbox
            .slice(since)
            .map((m) => `- ${readable(m).slice(0, 160)}`)
            .join('\n')}`,
        );
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Nothing new for a while (to show that a click changed nothing). */
  async quietFor(ms: number, since: number, predicate: (m: BotMessage) => boolean): Promise<BotMessage[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.inbox.slice(since).filter(predicate);
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
