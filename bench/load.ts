/**
 * Load generation shared by the Slack and Teams benchmarks: each server runs in its own child process
 * (so CPU per request can be read from it alone), autocannon for throughput, and a paced generator for latency.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import autocannon from 'autocannon';

/** One request body with its headers (a signed Slack event, a Teams activity). */
export type RequestSource = () => { body: string; headers: Record<string, string> };

/** Latencies of evenly spaced requests. */
export interface PacedResult {
  rate: number;
  sent: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  errors: number;
}

/** A bench server in a child process, speaking the small IPC protocol of bench/*-server.ts. */
export interface Child {
  port: number;
  cpu(): Promise<{ micros: number; rss: number; loopP99Ms?: number; loopMaxMs?: number }>;
  stop(): Promise<void>;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Fork `script` (a bench server) in `mode`; resolves once it reports its port. */
export async function startChild(script: string, mode: string, execArgv: string[] = []): Promise<Child> {
  const child: ChildProcess = fork(script, [mode], {
    execArgv: [...execArgv, '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
    child.on('message', (m: { type: string; port?: number }) => m.type === 'ready' && resolve(m.port!));
  });
  return {
    port,
    cpu: () =>
      new Promise((resolve) => {
        const onMessage = (m: {
          type: string;
          usage?: NodeJS.CpuUsage;
          rss?: number;
          loopP99Ms?: number;
          loopMaxMs?: number;
        }) => {
          if (m.type !== 'cpu') return;
          child.off('message', onMessage);
          resolve({
            micros: m.usage!.user + m.usage!.system,
            rss: m.rss!,
            loopP99Ms: m.loopP99Ms,
            loopMaxMs: m.loopMaxMs,
          });
        };
        child.on('message', onMessage);
        child.send({ type: 'cpu' });
      }),
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

/** As many requests as `connections` allow, for `seconds` or `amount` requests (autocannon). */
export async function load(
  port: number,
  path: string,
  next: RequestSource,
  options: { connections: number; seconds?: number; amount?: number; timeoutS?: number },
) {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: options.connections,
    ...(options.seconds !== undefined ? { duration: options.seconds } : {}),
    ...(options.amount !== undefined ? { amount: options.amount } : {}),
    timeout: options.timeoutS ?? 10,
    requests: [{ method: 'POST', path, setupRequest: (req) => ({ ...req, ...next() }) }],
  });
}

/** Requests evenly spaced at `rate` per second over a keep-alive agent; latency until the response ends. */
export async function paced(
  port: number,
  path: string,
  next: RequestSource,
  rate: number,
  seconds: number,
): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = rate * seconds;
  const interval = 1000 / rate;
  const latencies: number[] = [];
  let errors = 0;
  let done = 0;
  const start = performance.now() + 20;
  const fire = () => {
    const { body, headers } = next();
    const t0 = performance.now();
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - t0);
          else errors += 1;
          done += 1;
        });
      },
    );
    req.on('error', () => {
      errors += 1;
      done += 1;
    });
    req.end(body);
  };
  for (let i = 0; i < total; ) {
    const now = performance.now();
    while (i < total && start + i * interval <= now) {
      fire();
      i += 1;
    }
    await sleep(Math.max(0, start + i * interval - performance.now()));
  }
  while (done < total) await sleep(5);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Number((latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * q) - 1)] ?? Number.NaN).toFixed(2));
  return { rate, sent: total, p50Ms: at(0.5), p99Ms: at(0.99), p999Ms: at(0.999), maxMs: at(1), errors };
}

/** Totals of the throughput rounds of one server. */
export interface RoundStats {
  rps: number[];
  cpu: number;
  ok: number;
  non2xx: number;
  errors: number;
}

/**
 * Throughput rounds, alternating between the servers so drift in the machine's speed hits each alike. Each round
 * reads the server's CPU before and one second after the load: work done after the acks counts too.
 */
export async function measureRounds<M extends string>(
  servers: Record<M, Child>,
  modes: readonly M[],
  path: string,
  sources: Record<M, RequestSource>,
  options: { rounds: number; connections: number; seconds: number; timeoutS?: number },
): Promise<Record<M, RoundStats>> {
  const runs = Object.fromEntries(
    modes.map((m) => [m, { rps: [], cpu: 0, ok: 0, non2xx: 0, errors: 0 }]),
  ) as unknown as Record<M, RoundStats>;
  for (let round = 0; round < options.rounds; round += 1) {
    for (const mode of modes) {
      await sleep(1_000);
      const before = await servers[mode].cpu();
      const result = await load(servers[mode].port, path, sources[mode], {
        connections: options.connections,
        seconds: options.seconds,
        timeoutS: options.timeoutS,
      });
      await sleep(1_000);
      const after = await servers[mode].cpu();
      const ok = result['2xx'];
      runs[mode].rps.push(Math.round(ok / result.duration));
      runs[mode].cpu += after.micros - before.micros;
      runs[mode].ok += ok;
      runs[mode].non2xx += result.non2xx;
      runs[mode].errors += result.errors + result.timeouts;
    }
  }
  return runs;
}
