/** An answer as stored: a choice id, several choice ids, a number, or a short text. `null` = skipped. */
export type Answer = string | string[] | number | { text: string } | null;

/** One person's place in one dialog. Plain JSON, small (aim: < 2 KB stored). */
export interface DialogState {
  dialogId: string;
  version: number;
  /** The step now waiting for an answer; undefined once the dialog has ended. */
  stepId?: string;
  answers: Record<string, Answer>;
  /** Question steps answered, in order, so "terug" can go back one. */
  history: string[];
  /** Goes up by one at every accepted answer or "terug"; buttons carry it to spot stale clicks. */
  turn: number;
  status: 'active' | 'done' | 'stopped';
  /** Set when a rule with an `outcome` ended the dialog (e.g. `safety`). */
  outcome?: string;
  startedAt: number;
  expiresAt: number;
}

/** What the engine is asked to do. `now` is passed in so the engine stays pure. */
export type EngineInput =
  | { type: 'start'; now: number }
  | { type: 'answer'; stepId: string; turn: number; value: Answer; now: number }
  /** Free text typed while a question is open: matched against choice labels or taken as a text answer. */
  | { type: 'text'; text: string; now: number }
  | { type: 'back'; now: number }
  | { type: 'stop'; now: number };

/** Why an input changed nothing. */
export type Rejection =
  | 'stale' // the button belongs to an earlier question or turn
  | 'not_active' // no dialog is running
  | 'expired'
  | 'version_changed'
  | 'invalid_choice'
  | 'choice_expected' // free text where a button is expected
  | 'too_few' // multi: fewer than min
  | 'too_many' // multi: more than max
  | 'exclusive_combined'
  | 'out_of_range' // scale
  | 'too_long' // text over maxLength
  | 'empty' // required text left empty
  | 'nothing_to_undo';

/** What the engine did, as neutral events the runner turns into messages. */
export type EngineOutput =
  | { kind: 'say'; stepId: string }
  /**
   * `current` counts from 1 on the person's path; 0 marks an unnumbered extra (the optional closing note).
   * `total` is the longest path the answers so far allow; `certain` says no later question depends on an answer
   * not given yet, so the total can no longer change.
   */
  | { kind: 'ask'; stepId: string; current: number; total: number; certain: boolean }
  | { kind: 'done'; outcome?: string }
  | { kind: 'stopped' }
  | { kind: 'rejected'; reason: Rejection; stepId?: string; limit?: number };

export interface EngineResult {
  state: DialogState;
  outputs: EngineOutput[];
  /** False when the input was rejected and the state is unchanged. */
  changed: boolean;
}
