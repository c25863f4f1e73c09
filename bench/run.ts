/**
 * `npm run bench`: every benchmark in one run, each against its baseline started in the same run.
 * Prints a summary and writes bench/results/latest.json. Figures and how to read them: docs/benchmarks.md.
 *   npm run bench                 # everything (about 10 minutes on 2 cores)
 *   npm run bench -- engine turns # only some: engine, turns, slack, teams, startup, broadcast
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { runBroadcastBench } from './broadcast.js';
import { benchEngine } from './engine.js';
import { runSlackBench } from './slack.js';
import { runStartupBench, runTeamsBench } from './teams.js';
import { benchTurns } from './turns.js';

const wanted = new Set(process.argv.slice(2).filter((a) => !a.startsWith('-')));
const run = (name: string) => wanted.size === 0 || wanted.has(name);
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))),
};
const say = (line: string) => process.stdout.write(`${line}\n`);

if (run('engine')) {
  const engine = benchEngine({ seconds: 1, rounds: 5 });
  results.engine = engine;
  say(`engine (pure advance, sample dialog): ${engine.turnsPerSecond.toLocaleString('en')} turns/s (aim ≥ 50,000)`);
}
if (run('turns')) {
  const memory = await benchTurns({ store: 'memory' });
  const sqlite = await benchTurns({ store: 'sqlite' });
  results.turns = { memory, sqlite };
  say(
    `core turns on the real check-in: memory ${memory.turnsPerSecond.toLocaleString('en')}/s, SQLite ${sqlite.turnsPerSecond.toLocaleString('en')}/s`,
  );
  say(`stored bytes per active dialog: ${sqlite.bytesPerActiveDialog} (aim ≤ 2,048)`);
}
if (run('slack')) {
  const slack = await runSlackBench();
  results.slack = slack;
  say(
    `slack: bare Bolt ${slack.bolt.eventsPerSecond}/s, pipeline ${slack.pipeline.eventsPerSecond}/s → ratio ${slack.ratio.toFixed(2)} (aim ≥ 0.8); ` +
      `CPU/event ${slack.bolt.cpuMicrosPerEvent} vs ${slack.pipeline.cpuMicrosPerEvent} µs → ${slack.cpuRatio.toFixed(2)}× (aim ≤ 1.1); ` +
      `p99 at ${slack.pipeline.paced.rate}/s ${slack.pipeline.paced.p99Ms} ms (aim ≤ 20)`,
  );
}
if (run('teams')) {
  const teams = await runTeamsBench();
  results.teams = teams;
  say(
    `teams: CPU per activity, median of ${teams.settings.rounds} rounds: bare botbuilder ${teams.bare.cpuMicrosPerActivity} µs, ` +
      `pipeline ${teams.pipeline.cpuMicrosPerActivity} µs → ${teams.cpuRatio.toFixed(2)}× (aim ≤ 1.25); ` +
      `p99 at ${teams.pipeline.paced.rate}/s: bare ${teams.bare.paced.p99Ms} ms, pipeline ${teams.pipeline.paced.p99Ms} ms`,
  );
}
if (run('startup')) {
  // `npm start` runs the bundle (`npm run bench` builds first); the same code as separate files is shown beside it.
  const startup = { bundle: await runStartupBench(5, 'bundle'), dist: await runStartupBench(5, 'dist') };
  results.startup = startup;
  say(
    `start-up to /readyz with Slack and Teams configured: ${startup.bundle.readyMs} ms as \`npm start\`, bare Bolt ` +
      `${startup.bundle.boltReadyMs} ms → ${startup.bundle.ratio.toFixed(2)}× (aim ≤ 1.5); unbundled ` +
      `${startup.dist.readyMs} ms (${startup.dist.ratio.toFixed(2)}×); Teams SDK loaded after ${startup.bundle.teamsSdkMs} ms`,
  );
}
if (run('broadcast')) {
  const broadcast = await runBroadcastBench();
  results.broadcast = broadcast;
  for (const [label, r] of [
    ['in one process', broadcast.single],
    ['killed half-way and restarted', broadcast.killed],
  ] as const) {
    if (!r) continue;
    say(
      `broadcast to ${r.recipients.toLocaleString('en')} (${label}): ${r.seconds} s against a bound of ${r.boundSeconds} s → ` +
        `${r.ratio.toFixed(2)}× (aim ≤ 1.1); lost ${r.lost}, duplicates ${r.duplicates}; ${r.injected429} injected 429s, ` +
        `${r.overLimit} calls over a limit`,
    );
  }
}

mkdirSync('bench/results', { recursive: true });
// A partial run (`npm run bench -- teams`) replaces only its own entries, and notes its date and load under
// `partialRuns`; the other entries keep their figures and the date of the full run they came from.
const latest = 'bench/results/latest.json';
const previous = existsSync(latest) ? (JSON.parse(readFileSync(latest, 'utf8')) as Record<string, unknown>) : {};
const { date, node, cpus: cores, loadAverageAtStart, ...entries } = results;
const merged =
  wanted.size === 0
    ? results
    : {
        ...previous,
        ...entries,
        partialRuns: {
          ...(previous.partialRuns as Record<string, unknown> | undefined),
          [Object.keys(entries).join('+')]: { date, node, cpus: cores, loadAverageAtStart },
        },
      };
writeFileSync(latest, `${JSON.stringify(merged, null, 2)}\n`);
say(`written: ${latest}`);
