/**
 * One server for bench/slack.ts, run in a child process so its CPU can be measured on its own:
 *   pipeline       — the real server (src/http/server.ts) with the Slack adapter and the real bot on a SQLite store
 *                    in a temp dir: verify, parse, dedupe claim, dialog step, state write; the bot's
 *                    answers are rendered by the core and recorded instead of sent
 *   pipeline-send  — the same, and every answer goes out as Block Kit through @slack/web-api's WebClient
 *                    (pacing, pauses, retries) to an in-process stub of the Web API (no network, no nock)
 *   adapter        — the same server and adapter with a sink that does nothing: the Slack transport alone
 *   bolt           — a bare @slack/bolt App on its HTTPReceiver that only acknowledges
 * Talks to the parent over IPC: { ready, port } → { cpu } ↔ cpu usage → { stop }.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { Session } from 'node:inspector';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bolt from '@slack/bolt';
import pino from 'pino';
import type { AdapterHost } from '../src/message/adapter.js';
import type { TurnIO } from '../src/message/types.js';
import { BENCH_SECRET, benchEnv } from './bench-env.js';

/**
 * The code under test: the build output (`dist/`, what `npm start` runs) when BENCH_RUNTIME=dist, else the
 * TypeScript sources through tsx. Under tsx every function expression also gets a `__name` call at run time
 * (esbuild's keepNames), which costs the pipeline CPU that the deployed build does not pay.
 */
const base = process.env.BENCH_RUNTIME === 'dist' && process.argv[2] !== 'pipeline-tsx' ? '../dist/' : '../';
const load = <T>(path: string): Promise<T> => import(`${base}${path}`) as Promise<T>;
const { createSlackAdapter } = await load<typeof import('../adapters/slack/index.js')>('adapters/slack/index.js');
const { loadConfig } = await load<typeof import('../src/config.js')>('src/config.js');
const { createCore } = await load<typeof import('../src/app.js')>('src/app.js');
const { createMetrics } = await load<typeof import('../src/metrics.js')>('src/metrics.js');
const { createOutboundPolicy } = await load<typeof import('../src/outbound/policy.js')>('src/outbound/policy.js');
const { createHttpServer } = await load<typeof import('../src/http/server.js')>('src/http/server.js');
const { openSqliteStore } = await load<typeof import('../src/store/create-store.js')>('src/store/create-store.js');

/** `pipeline-tsx` is the pipeline from the sources (see `base` above). */
const mode =
  (['bolt', 'adapter', 'pipeline', 'pipeline-send'] as const).find((m) => m === process.argv[2]) ?? 'pipeline';

/** A Slack Web API stand-in: the answers the bot needs, as fast as a local stub can be. */
let ts = 0;
const stubFetch = async (url: string | URL, init?: { body?: unknown }): Promise<Response> => {
  const method = String(url).slice(String(url).lastIndexOf('/') + 1);
  const form = new URLSearchParams(typeof init?.body === 'string' ? init.body : '');
  let body: unknown = { ok: true };
  if (method === 'chat.postMessage')
    body = { ok: true, channel: form.get('channel'), ts: `${1_700_000_000 + ++ts}.000100` };
  else if (method === 'users.info') body = { ok: true, user: { id: form.get('user'), locale: 'nl-NL' } };
  else if (method === 'conversations.open') body = { ok: true, channel: { id: `D${form.get('users')}` } };
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
};

async function startPipeline(): Promise<{ port: number; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'bb-bench-slack-'));
  const config = loadConfig(benchEnv(join(dir, 'bb.sqlite')), {});
  // Production logging (info, JSON, one line per event), written to /dev/null.
  const log = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
  const store = openSqliteStore({ path: config.store.databasePath, log });
  const core = await createCore(config, { log, store });
  const server = createHttpServer(
    // No cap on requests per connection, as Bolt's server has none: autocannon does not honour `Connection: close`,
    // and at the adapter's speed a capped connection answers 503 to everything after its 1,000th request.
    { host: '127.0.0.1', port: 0, maxRequestsPerSocket: 0 },
    { log, metrics: createMetrics({ defaultMetrics: false }), isReady: async () => true },
  );
  const adapter = createSlackAdapter(
    config.slack!,
    {
      log,
      routes: server,
      policy: createOutboundPolicy({}, { platform: 'slack', hash: core.hash }),
      translate: core.translator.t,
      defaultLocale: config.defaultLocale,
      // One workspace sends here far above its default limit (300 per minute): lifted, so every answer is sent
      // and measured. The per-channel limits stay: each person's 1:1 chat gets an answer every few seconds.
      tuning: { workspacePostLimits: [] },
    },
    { fetch: stubFetch },
  );
  const recording: TurnIO = { send: async () => undefined, update: async () => undefined, remove: async () => false };
  core.registry.register(adapter);
  const full = core.hostFor('slack');
  const host: AdapterHost =
    mode === 'adapter'
      ? { ...full, accept: async () => true, handle: async () => undefined }
      : mode === 'pipeline'
        ? { ...full, handle: (event) => core.pipeline.handle(event, recording) }
        : full;
  await adapter.start(host);
  const port = await server.listen();
  return {
    port,
    async close() {
      await server.close();
      await adapter.stop();
      await core.pipeline.drain();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startBolt(): Promise<{ port: number; close(): Promise<void> }> {
  const app = new bolt.App({
    signingSecret: BENCH_SECRET,
    authorize: async () => ({ botToken: 'xoxb-bench', botId: 'B0BENCH', botUserId: 'UBOT0001' }),
    logLevel: bolt.LogLevel.ERROR,
    clientOptions: { slackApiUrl: 'http://127.0.0.1:59999/api/', retryConfig: { retries: 0 } },
  });
  app.event('message', async () => undefined);
  const server = (await app.start(0)) as Server;
  return { port: (server.address() as AddressInfo).port, close: () => app.stop() as Promise<void> };
}

const running = mode === 'bolt' ? await startBolt() : await startPipeline();
// How long the event loop was blocked (a stalled loop delays acks): reported and reset with each cpu reading.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
// A CPU profile of a stretch of the run (the measured load only, not start-up or warm-up): profile-start, then
// profile-stop with a file to write it to (answered with `profiled`). Load with: node --cpu-prof for the whole run.
const inspector = new Session();
const inspect = (method: string) =>
  new Promise<unknown>((resolve, reject) =>
    inspector.post(method, (error, result) => (error ? reject(error) : resolve(result))),
  );
process.on('message', async (message: { type: string; file?: string }) => {
  if (message.type === 'profile-start') {
    inspector.connect();
    await inspect('Profiler.enable');
    await inspect('Profiler.start');
  }
  if (message.type === 'profile-stop' && message.file) {
    const { profile } = (await inspect('Profiler.stop')) as { profile: unknown };
    inspector.disconnect();
    writeFileSync(message.file, JSON.stringify(profile));
    process.send!({ type: 'profiled' });
  }
});
process.on('message', (message: { type: string }) => {
  if (message.type === 'cpu') {
    process.send!({
      type: 'cpu',
      usage: process.cpuUsage(),
      rss: process.memoryUsage().rss,
      loopP99Ms: loopDelay.percentile(99) / 1e6,
      loopMaxMs: loopDelay.max / 1e6,
    });
    loopDelay.reset();
  }
  if (message.type === 'stop') void running.close().finally(() => process.exit(0));
});
process.send!({ type: 'ready', port: running.port });
