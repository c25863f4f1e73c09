/**
 * Pure dialog-engine turns per second over the sample dialog: no store, no rendering, no I/O.
 * Each `advance()` call is one turn; the script mixes the happy path, the "none" branch, typed answers and "terug".
 *   npx tsx bench/engine.ts [seconds]
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { advance } from '../src/dialog/engine.js';
import { loadDialogs } from '../src/dialog/loader.js';
import type { DialogDefinition } from '../src/dialog/schema.js';
import type { Answer, DialogState, EngineInput } from '../src/dialog/types.js';

export interface EngineBenchOptions {
  /** Measured time in total, split over the rounds (warm-up comes on top). Default 3. */
  seconds?: number;
  /** Default 5. */
  rounds?: number;
  /** Defaults to the `sample` dialog from dialogs/. */
  def?: DialogDefinition;
}

export interface EngineBenchResult {
  bench: 'engine';
  dialog: string;
  /** Median over the rounds. */
  turnsPerSecond: number;
  roundsTurnsPerSecond: number[];
  turns: number;
  seconds: number;
  /** Mean microseconds per turn at the median rate. */
  microsPerTurn: number;
}

/** One move in the scripted conversations; `value` answers the open question with a button. */
type Move = { value: Answer } | { text: string } | { back: true };

/** Three conversations through the sample dialog, repeated: happy path, typed answers with "terug", and branches. */
const SCRIPT: Move[][] = [
  [
    { value: 'wind' },
    { value: ['residents', 'youth'] },
    { value: 4 },
    { value: 'yes' },
    { value: { text: 'Veel gedoe.' } },
  ],
  [{ text: '2' }, { text: '1, 3' }, { back: true }, { text: '5' }, { text: '1' }, { value: null }],
  [{ value: 'budget' }, { value: ['entrepreneurs'] }, { value: 2 }, { value: 'no' }],
];

function input(move: Move, state: DialogState, now: number): EngineInput {
  if ('back' in move) return { type: 'back', now };
  if ('text' in move) return { type: 'text', text: move.text, now };
  return { type: 'answer', stepId: state.stepId ?? '', turn: state.turn, value: move.value, now };
}

/** Run whole conversations until `ms` have passed; returns turns done. */
function runFor(def: DialogDefinition, ms: number, sink: { checksum: number }): number {
  const deadline = performance.now() + ms;
  let turns = 0;
  let now = Date.UTC(2026, 0, 5, 9);
  while (performance.now() < deadline) {
    // Check the clock once per batch of conversations, so timing costs little beside the engine.
    for (let batch = 0; batch < 50; batch++) {
      for (const moves of SCRIPT) {
        let result = advance(def, undefined, { type: 'start', now });
        turns++;
        for (const move of moves) {
          now += 1_000;
          result = advance(def, result.state, input(move, result.state, now));
          turns++;
          if (!result.changed) throw new Error(`bench script was refused: ${JSON.stringify(result.outputs)}`);
        }
        sink.checksum += result.state.turn;
      }
    }
  }
  return turns;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/** Measure pure engine turns per second: a warm-up, then several rounds, reporting the median. */
export function benchEngine(options: EngineBenchOptions = {}): EngineBenchResult {
  const seconds = options.seconds ?? 3;
  const rounds = Math.max(1, options.rounds ?? 5);
  // The sample dialog is a test fixture (it does not ship): a small dialog with every step kind.
  const def =
    options.def ?? loadDialogs(fileURLToPath(new URL('../test/fixtures/dialogs/', import.meta.url))).get('sample');
  if (def === undefined) throw new Error('the sample dialog is missing from test/fixtures/dialogs/');
  const sink = { checksum: 0 };
  runFor(def, Math.min(1_000, Math.max(200, seconds * 200)), sink);
  const roundMs = (seconds * 1_000) / rounds;
  const rates: number[] = [];
  let turns = 0;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    const done = runFor(def, roundMs, sink);
    const elapsed = (performance.now() - started) / 1_000;
    turns += done;
    rates.push(Math.round(done / elapsed));
  }
  if (sink.checksum <= 0) throw new Error('bench did no work');
  const turnsPerSecond = median(rates);
  return {
    bench: 'engine',
    dialog: def.id,
    turnsPerSecond,
    roundsTurnsPerSecond: rates,
    turns,
    seconds,
    microsPerTurn: Math.round((1e6 / turnsPerSecond) * 100) / 100,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const seconds = Number(process.argv[2] ?? 3);
  console.log(JSON.stringify(benchEngine({ seconds: Number.isFinite(seconds) && seconds > 0 ? seconds : 3 }), null, 2));
}
