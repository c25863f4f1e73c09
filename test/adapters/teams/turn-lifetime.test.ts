/**
 * Sends that outlive their turn: a send that waited for the rate limiter or a retry past the end of its turn goes
 * proactively, and one in flight at that moment arrives exactly once.
 * And a turn opens the personal chat once however often the core writes there.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundMessage, SentRef } from '../../../src/core/index.js';
import { activities, startConnector, startTeams } from './support/harness.js';

type Teams = Awaited<ReturnType<typeof startTeams>>;
type Connector = Awaited<ReturnType<typeof startConnector>>;

const reply = (text: string): OutboundMessage => ({ text, blocks: [{ type: 'text', text }] });
const isActivityCall = (path: string) => /\/activities/.test(path);

let teams: Teams | undefined;
let connector: Connector | undefined;
afterEach(async () => {
  await teams?.close();
  await connector?.close();
  teams = undefined;
  connector = undefined;
});

/** The script's outcome: what each send returned or threw. */
function outcomes() {
  const results: (SentRef | Error | undefined)[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const record = async (send: Promise<SentRef | undefined>) => results.push(await send.catch((error: Error) => error));
  return { results, finished, done, record };
}

describe('a send that outlives its turn', () => {
  beforeEach(async () => {
    connector = await startConnector();
  });

  it('after waiting for the rate limiter past the end of the turn, it goes proactively', async () => {
    const out = outcomes();
    teams = await startTeams({
      deps: { tuning: { turnBudgetMs: 150, conversationLimits: [{ points: 1, durationMs: 1000 }] } },
      script: async (_e, io) => {
        await out.record(io.send(reply('Een')));
        // The limiter holds this one for about a second; the turn has ended by then.
        await out.record(io.send(reply('Twee')));
        out.done();
      },
    });
    const activity = activities.personal(connector!.url, 'checkin');
    expect((await teams.post(activity)).status).toBe(200);
    await out.finished;
    expect(out.results.map((r) => (r instanceof Error ? r.name : r?.messageId))).toEqual(['sent-1', 'sent-2']);
    const calls = connector!.calls.filter((c) => isActivityCall(c.path));
    expect(calls.map((c) => c.body.text)).toEqual(['Een', 'Twee']);
    // The first as a reply within the turn, the second proactively (no replyToId at all).
    expect(calls[0]!.path).toBe(`/v3/conversations/a%3Apersonal-1/activities/${activity.id}`);
    expect(calls[1]!.path).toBe('/v3/conversations/a%3Apersonal-1/activities');
    expect(calls[1]!.body.replyToId).toBeUndefined();
  });

  it('a retry after the turn ended goes proactively', async () => {
    await connector!.close();
    let failedOnce = false;
    connector = await startConnector((call, res) => {
      if (failedOnce || !isActivityCall(call.path)) return false;
      failedOnce = true;
      res.writeHead(502).end();
      return true;
    });
    const out = outcomes();
    teams = await startTeams({
      // The backoff (±20 %) is longer than what is left of the turn.
      deps: { tuning: { turnBudgetMs: 100, backoffBaseMs: 400, backoffMaxMs: 400 } },
      script: async (_e, io) => {
        await out.record(io.send(reply('Opnieuw')));
        out.done();
      },
    });
    expect((await teams.post(activities.personal(connector!.url, 'checkin'))).status).toBe(200);
    await out.finished;
    expect(out.results[0]).not.toBeInstanceOf(Error);
    const calls = connector!.calls.filter((c) => isActivityCall(c.path));
    expect(calls).toHaveLength(2);
    expect(calls[1]!.body.text).toBe('Opnieuw');
  });

  it('a send in flight when the turn ends succeeds once, with its message id (no error, no duplicate)', async () => {
    await connector!.close();
    connector = await startConnector((call, res) => {
      if (!isActivityCall(call.path)) return false;
      // Answer after the turn's budget: botbuilder has revoked the context by then.
      setTimeout(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'slow-1' })),
        400,
      );
      return true;
    });
    const out = outcomes();
    teams = await startTeams({
      deps: { tuning: { turnBudgetMs: 100 } },
      script: async (_e, io) => {
        await out.record(io.send(reply('Langzaam')));
        out.done();
      },
    });
    expect((await teams.post(activities.personal(connector!.url, 'checkin'))).status).toBe(200);
    await out.finished;
    expect(out.results).toEqual([expect.objectContaining({ messageId: 'slow-1' })]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(connector!.calls.filter((c) => isActivityCall(c.path))).toHaveLength(1);
  });
});

describe('direct sends within one turn', () => {
  it('open the personal chat once', async () => {
    connector = await startConnector();
    const out = outcomes();
    teams = await startTeams({
      script: async (_e, io) => {
        await out.record(io.send(reply('Vraag 1'), { direct: true }));
        await out.record(io.send(reply('Vraag 2'), { direct: true }));
        out.done();
      },
    });
    await teams.post(activities.channelMention(connector.url, 'checkin'));
    await out.finished;
    const creates = connector.calls.filter((c) => c.method === 'POST' && c.path === '/v3/conversations');
    expect(creates).toHaveLength(1);
    const sends = connector.calls.filter((c) => isActivityCall(c.path));
    expect(sends.map((c) => c.body.text)).toEqual(['Vraag 1', 'Vraag 2']);
    for (const send of sends) expect(send.path).toMatch(/^\/v3\/conversations\/a%3Adirect-1\/activities/);
    expect(out.results.map((r) => (r instanceof Error ? r.name : r?.conversation.conversationId))).toEqual([
      'a:direct-1',
      'a:direct-1',
    ]);
  });

  it('a failed open is not kept: the next direct send in the turn tries again', async () => {
    let refused = false;
    connector = await startConnector((call, res) => {
      if (refused || call.path !== '/v3/conversations') return false;
      refused = true;
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: 'BadArgument' } }));
      return true;
    });
    const out = outcomes();
    teams = await startTeams({
      script: async (_e, io) => {
        await out.record(io.send(reply('Vraag 1'), { direct: true }));
        await out.record(io.send(reply('Vraag 2'), { direct: true }));
        out.done();
      },
    });
    await teams.post(activities.channelMention(connector.url, 'checkin'));
    await out.finished;
    expect(out.results[0]).toBeInstanceOf(Error);
    expect(out.results[1]).not.toBeInstanceOf(Error);
    expect(connector.calls.filter((c) => c.path === '/v3/conversations')).toHaveLength(2);
  });
});
