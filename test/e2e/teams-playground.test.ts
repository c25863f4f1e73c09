/**
 * End to end against the real Microsoft 365 Agents Playground: the real app (startApp, local
 * mode, a temporary SQLite database) behind the playground, driven over the playground's HTTP + WebSocket API.
 * Every card the bot sends is also checked with the adaptivecards library. On a failure the playground's log
 * is printed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp.js';
import { startApp, type App } from '../../src/main.js';
import { silentLogger } from '../../src/logger.js';
import { startPlayground, type Playground } from '../../src/playground.js';
import { testConfig } from '../support/make-bot.js';
import { cardProblems } from '../adapters/teams/support/validate-card.js';
import {
  actionsOf,
  answerFor,
  type BotMessage,
  freePort,
  PlaygroundClient,
  readable,
} from './support/playground-client.js';

type Json = Record<string, any>;

let app: App | undefined;
let botPort: number;
let playground: Playground;
let client: PlaygroundClient;

/** A fresh bot (new temporary database) on the same port, so every scenario starts from nothing. */
async function freshBot(): Promise<void> {
  await app?.close();
  app = await startApp(testConfig({ PORT: String(botPort) }), { log: silentLogger() });
}

beforeAll(async () => {
  botPort = await freePort();
  await freshBot();
  const logFile = join(tempDir('bb-playground-'), 'playground.log');
  playground = await startPlayground({
    botEndpoint: `http://127.0.0.1:${botPort}/api/messages`,
    port: await freePort(),
    logFile,
  });
  client = new PlaygroundClient(playground.url);
  await client.connect();
}, 60_000);

afterAll(async () => {
  client?.close();
  await playground?.stop();
  await app?.close();
});

afterEach((context) => {
  if (context.task.result?.state === 'fail' && playground) {
    const tail = playground
      .readLog()
      .split('\n')
      .slice(-40)
      .map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line));
    process.stderr.write(
      `\n----- Agents Playground log, last lines (${playground.logFile}) -----\n${tail.join('\n')}\n-----\n`,
    );
  }
});

const isCheckinQuestion = (card: Json | undefined): boolean =>
  !!card && JSON.stringify(card).includes('"d":"checkin"') && answerFor(card) !== undefined;
const RESULT = { nl: /(past|passen) bij jouw situatie/, en: /fits? your situation/ };
/** Module titles from the catalogue, to see that a result really suggests modules. */
const MODULE_TITLES = (
  parseYaml(readFileSync('dialogs/modules.yaml', 'utf8')) as { modules: { title: { nl: string; en: string } }[] }
).modules.map((m) => m.title);
const suggestedModules = (message: BotMessage, locale: 'nl' | 'en') =>
  MODULE_TITLES.filter((t) => readable(message).includes(t[locale]));

/** Every card that arrived is valid for the adaptivecards library. */
function expectValidCards(messages: BotMessage[]): void {
  for (const m of messages) if (m.card) expect(cardProblems(m.card), readable(m).slice(0, 80)).toEqual([]);
}

const consentButton = (card: Json | undefined): Json | undefined =>
  actionsOf(card).find((a) => a.data?.bb?.route?.feature === 'privacy' && a.data?.bb?.route?.verb === 'consent');

/** "checkin", and "ja, ik doe mee" on the consent card when it is asked; resolves with the first question. */
async function startCheckIn(via: 'execute' | 'submit' = 'execute'): Promise<BotMessage> {
  const start = client.inbox.length;
  await client.say('checkin');
  const first = await client.waitFor((m) => isCheckinQuestion(m.card) || !!consentButton(m.card), start);
  if (isCheckinQuestion(first.card)) return first;
  const mark = client.inbox.length;
  const yes = { action: consentButton(first.card)!, inputs: {} };
  if (via === 'execute') await client.execute(first.messageId, yes);
  else await client.submit(first.messageId, yes);
  return client.waitFor((m) => isCheckinQuestion(m.card), mark);
}

/** Answer the check-in to the end; `via` picks Action.Execute (invoke) or the Action.Submit fallback. */
async function completeCheckIn(via: 'execute' | 'submit', locale: 'nl' | 'en'): Promise<BotMessage> {
  const start = client.inbox.length;
  let current = await startCheckIn(via);
  for (let step = 0; step < 20; step++) {
    expect(cardProblems(current.card)).toEqual([]);
    const choice = answerFor(current.card!)!;
    const mark = client.inbox.length;
    if (via === 'execute') {
      const response = await client.execute(current.messageId, choice);
      if (response.type === 'application/vnd.microsoft.card.adaptive') {
        expect(cardProblems(response.value)).toEqual([]);
        // The refreshed card replaces the clicked one: the next question, in the same message.
        if (isCheckinQuestion(response.value)) {
          current = { messageId: current.messageId, card: response.value };
          continue;
        }
      }
    } else {
      await client.submit(current.messageId, choice);
    }
    const next = await client.waitFor((m) => isCheckinQuestion(m.card) || RESULT[locale].test(readable(m)), mark);
    if (RESULT[locale].test(readable(next))) {
      expectValidCards(client.inbox.slice(start));
      return next;
    }
    current = next;
  }
  throw new Error('the check-in did not end within 20 answers');
}

describe('Teams through the Microsoft 365 Agents Playground', () => {
  it('installation → a welcome message', async () => {
    const start = client.inbox.length;
    await client.install();
    await client.waitFor((m) => /Bubbelbreker/.test(readable(m)), start);
    // Teams (and the playground) send installationUpdate and conversationUpdate: still one welcome.
    const welcomes = await client.quietFor(800, start, (m) => /Bubbelbreker/.test(readable(m)));
    expect(welcomes).toHaveLength(1);
    expectValidCards(client.inbox.slice(start));
  });

  it('a whole check-in in Dutch through card submits → a result with suggested modules', async () => {
    const start = client.inbox.length;
    await client.say('taal nl');
    await client.waitFor((m) => /Nederlands/.test(readable(m)), start);
    const result = await completeCheckIn('submit', 'nl');
    expect(readable(result)).toMatch(RESULT.nl);
    expect(suggestedModules(result, 'nl').length).toBeGreaterThanOrEqual(1);
  });

  it('the same in English, through Action.Execute', async () => {
    await freshBot();
    const start = client.inbox.length;
    await client.say('language en');
    await client.waitFor((m) => /English/.test(readable(m)), start);
    const result = await completeCheckIn('execute', 'en');
    expect(readable(result)).toMatch(RESULT.en);
    expect(suggestedModules(result, 'en').length).toBeGreaterThanOrEqual(1);
  });

  it('a stale card clicked again changes nothing', async () => {
    await freshBot();
    const first = await startCheckIn();
    const firstChoice = answerFor(first.card!)!;
    const second = await client.execute(first.messageId, firstChoice);
    expect(isCheckinQuestion(second.value)).toBe(true);
    const secondQuestion = readable(second.value);

    // Click the old answer again, both ways: no new question, no refreshed card.
    const mark = client.inbox.length;
    const again = await client.execute(first.messageId, firstChoice);
    expect(again.type).not.toBe('application/vnd.microsoft.card.adaptive');
    await client.submit(first.messageId, firstChoice);
    const newQuestions = await client.quietFor(1000, mark, (m) => isCheckinQuestion(m.card));
    expect(newQuestions).toEqual([]);

    // The dialog is still at the second question: answering it moves on to the third.
    const third = await client.execute(first.messageId, answerFor(second.value)!);
    expect(isCheckinQuestion(third.value)).toBe(true);
    expect(readable(third.value)).not.toBe(secondQuestion);
    await client.say('stop');
  });

  it('every command answers with cards the adaptivecards library accepts', async () => {
    const start = client.inbox.length;
    for (const command of [
      'help',
      'leer',
      'mijn resultaten',
      'mijn gegevens',
      'taal',
      'vergeet mij',
      'onzin die geen opdracht is',
    ]) {
      const mark = client.inbox.length;
      await client.say(command);
      await client.waitFor(() => true, mark);
    }
    // Follow one button of each kind the answers offered (a module, a language, the confirmation).
    for (const message of client.inbox.slice(start).filter((m) => m.card)) {
      const button = actionsOf(message.card).find(
        (a) => a.type === 'Action.Execute' && a.data?.bb?.route?.data?.d !== 'checkin',
      );
      if (!button) continue;
      const response = await client.execute(message.messageId, { action: button, inputs: {} });
      if (response.type === 'application/vnd.microsoft.card.adaptive') expect(cardProblems(response.value)).toEqual([]);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(client.inbox.length - start).toBeGreaterThanOrEqual(7);
    expectValidCards(client.inbox.slice(start));
  });

  it('two clicks at once on one question store one answer', async () => {
    await freshBot();
    const first = await startCheckIn();
    const choice = answerFor(first.card!)!;
    const answers = await Promise.all([
      client.execute(first.messageId, choice),
      client.execute(first.messageId, choice),
    ]);
    const advanced = answers.filter(
      (a) => a.type === 'application/vnd.microsoft.card.adaptive' && isCheckinQuestion(a.value),
    );
    expect(advanced).toHaveLength(1);
    // And the dialog moved by exactly one question: the next answer gives question 3.
    const third = await client.execute(first.messageId, answerFor(advanced[0]!.value)!);
    expect(readable(third.value)).toMatch(/Question 3 ·|Vraag 3 ·/);
    await client.say('stop');
  });

  it('the same person can do a second check-in after finishing one (in Dutch: the playground says en-US)', async () => {
    await freshBot();
    await completeCheckIn('execute', 'nl');
    await completeCheckIn('execute', 'nl');
  });

  it('Dutch first whatever the client says; one tap on the welcome for English, remembered', async () => {
    await freshBot();
    const start = client.inbox.length;
    await client.install();
    const welcome = await client.waitFor((m) => /Bubbelbreker/.test(readable(m)), start);
    expect(readable(welcome)).toContain('Hallo! Ik ben Bubbelbreker.');
    const english = actionsOf(welcome.card).find((a) => a.title === 'Continue in English');
    expect(english).toBeDefined();
    const mark = client.inbox.length;
    await client.execute(welcome.messageId, { action: english!, inputs: {} });
    await client.waitFor((m) => /in English now/.test(readable(m)), mark);
    const help = client.inbox.length;
    await client.say('help');
    expect(readable(await client.waitFor(() => true, help))).toContain('This is what I can do');
  });
});
