import { describe, expect, it } from 'vitest';
import { GAME_CHANGERS, ROLES, RUNGS, SIGNAL_STAGE, VOICES } from '../../../src/features/checkin/model.js';
import { advance, predictPath } from '../../../src/dialog/engine.js';
import { loadDialogs, requiredTextKeys } from '../../../src/dialog/loader.js';
import type { Answer, EngineResult } from '../../../src/dialog/types.js';
import { createTranslator } from '../../../src/i18n/translator.js';

const def = loadDialogs('dialogs').get('checkin')!;
const translator = createTranslator({ dir: 'dialogs' });
const choices = (id: string) => {
  const step = def.steps.find((s) => s.id === id);
  return step && 'choices' in step ? step.choices : [];
};
const numbered = (path: string[]) => path.filter((id) => id !== 'note');

/** Start the check-in and answer the given steps in order; returns every engine result. */
function play(steps: [string, Answer][]): EngineResult[] {
  const results = [advance(def, undefined, { type: 'start', now: 0 })];
  for (const [stepId, value] of steps) {
    const last = results.at(-1)!;
    results.push(advance(def, last.state, { type: 'answer', stepId, turn: last.state.turn, value, now: 1 }));
  }
  return results;
}
const askOf = (r: EngineResult) => r.outputs.find((o) => o.kind === 'ask');
const type = (r: EngineResult, text: string) => advance(def, r.state, { type: 'text', text, now: 2 });

describe('dialogs/checkin.yaml', () => {
  it('loads through the real loader, as version 2 (a half-way check-in of version 1 then ends politely)', () => {
    expect(def.id).toBe('checkin');
    expect(def.version).toBe(2);
    const old = { ...play([])[0]!.state, version: 1 };
    expect(advance(def, old, { type: 'text', text: '1', now: 1 }).outputs).toEqual([
      { kind: 'rejected', reason: 'version_changed', stepId: 'kind' },
    ]);
  });

  it('has every text in Dutch and English', () => {
    const missing = requiredTextKeys(def).flatMap((key) =>
      (['nl', 'en'] as const).filter((l) => !translator.has(l, key)).map((l) => `${l}:${key}`),
    );
    expect(missing).toEqual([]);
  });

  it('asks signals, safety, position and participation on every track; Brandsma only beside a conflict', () => {
    const path = (kind: string, participation = 'consult') =>
      predictPath(def, { kind, safety: ['none'], participation });
    expect(path('conflict')).toEqual([
      'kind',
      'signals',
      'safety',
      'participation',
      'delivered',
      'voices',
      'position',
      'note',
    ]);
    for (const kind of ['polarisation', 'both', 'dontKnow'])
      expect(path(kind)).toEqual([
        'kind',
        'signals',
        'safety',
        'participation',
        'delivered',
        'voices',
        'roles',
        'gameChangers',
        'note',
      ]);
    // Inside the organisation there are no residents: no delivered rung, no missing voices.
    expect(numbered(path('conflict', 'internal'))).toEqual(['kind', 'signals', 'safety', 'participation', 'position']);
    expect(path('both', 'notYet')).not.toContain('delivered');
  });

  it('counts the longest path first and only shrinks: 8, then 7 for a conflict', () => {
    expect(numbered(predictPath(def, {}))).toHaveLength(8);
    expect(numbered(predictPath(def, { kind: 'conflict' }))).toHaveLength(7);
    expect(numbered(predictPath(def, { kind: 'polarisation' }))).toHaveLength(8);
  });

  it('"terug" across a changed track keeps the count right', () => {
    const rs = play([
      ['kind', 'conflict'],
      ['signals', ['debating']],
    ]);
    expect(askOf(rs.at(-1)!)).toMatchObject({ stepId: 'safety', current: 3, total: 7 });
    let r = advance(def, rs.at(-1)!.state, { type: 'back', now: 2 });
    r = advance(def, r.state, { type: 'back', now: 3 });
    // Back at the track question its answer is forgotten, so the count is the longest path again.
    expect(askOf(r)).toMatchObject({ stepId: 'kind', current: 1, total: 8 });
    r = type(r, '2'); // wij-zij-denken
    expect(askOf(r)).toMatchObject({ stepId: 'signals', current: 2, total: 8 });
    r = type(r, '2');
    expect(askOf(r)).toMatchObject({ stepId: 'safety', current: 3, total: 8 });
    r = type(r, '1');
    expect(askOf(r)).toMatchObject({ stepId: 'participation', current: 4, total: 8 });
    r = type(r, '8'); // n.v.t.: inside the organisation, so no delivered rung and no voices
    expect(askOf(r)).toMatchObject({ stepId: 'roles', current: 5, total: 6 });
    r = type(r, '1');
    expect(askOf(r)).toMatchObject({ stepId: 'gameChangers', current: 6, total: 6 });
  });

  it('answers bad input with a friendly correction and keeps the question open', () => {
    const r = play([['kind', 'both']]).at(-1)!;
    for (const [text, reason] of [
      ['12', 'choice_expected'], // a number out of range
      ['misschien', 'choice_expected'], // free text where a choice is asked
      ['1,9', 'exclusive_combined'], // "weet niet" with another choice
    ] as const) {
      const after = type(r, text);
      expect(after.changed, text).toBe(false);
      expect(after.outputs, text).toEqual([{ kind: 'rejected', reason, stepId: 'signals' }]);
    }
    const safety = type(r, '2');
    expect(type(safety, '1,5').outputs).toEqual([{ kind: 'rejected', reason: 'exclusive_combined', stepId: 'safety' }]);
  });

  it('ends with the safety outcome for threats, doxing and damage, also combined', () => {
    for (const safety of [['threats'], ['doxxing'], ['damage'], ['threats', 'doxxing']]) {
      const last = play([
        ['kind', 'polarisation'],
        ['signals', ['images']],
        ['safety', safety],
      ]).at(-1)!;
      expect(last.state.status).toBe('done');
      expect(last.outputs).toContainEqual({ kind: 'done', outcome: 'safety' });
    }
    const unsure = play([
      ['kind', 'conflict'],
      ['signals', ['talking']],
      ['safety', ['unsure']],
    ]).at(-1)!;
    expect(askOf(unsure)?.stepId).toBe('participation');
  });

  it('offers "weet niet" where it is honest, and an optional short note that warns against names', () => {
    for (const id of ['kind', 'signals', 'position', 'roles', 'participation', 'delivered', 'voices', 'gameChangers'])
      expect(choices(id), id).toContain('dontKnow');
    expect(choices('safety')).toContain('unsure');
    const note = def.steps.find((s) => s.id === 'note');
    expect(note).toMatchObject({ kind: 'text', maxLength: 280, optional: true });
    // The warning against names opens every check-in (the note itself warns again when it seems to name someone).
    expect(translator.t('nl', 'checkin.intro.text')).toMatch(/geen namen/);
    expect(translator.t('en', 'checkin.intro.text')).toMatch(/not name/);
    // Where the note is typed and how long it is kept, per platform.
    expect(note).toMatchObject({ hint: 'perPlatform' });
    expect(translator.t('nl', 'checkin.note.hint.slack', { noteDays: 7 })).toMatch(/apart venster.*7 dagen/);
    expect(translator.t('en', 'checkin.note.hint.teams', { noteDays: 7 })).toMatch(/7 days/);
  });

  it('holds every choice id the diagnosis reads', () => {
    expect(choices('signals')).toEqual(expect.arrayContaining([...Object.keys(SIGNAL_STAGE), 'vertical']));
    expect(choices('roles')).toEqual(expect.arrayContaining([...ROLES, 'meSide', 'meMiddle', 'meAbove']));
    expect(choices('position')).toEqual(expect.arrayContaining(['meSide', 'meMiddle', 'meAbove']));
    expect(choices('voices')).toEqual(expect.arrayContaining([...VOICES]));
    expect(choices('participation')).toEqual(expect.arrayContaining([...RUNGS, 'unclear', 'notYet', 'internal']));
    expect(choices('delivered')).toEqual(expect.arrayContaining([...RUNGS]));
    expect(choices('gameChangers')).toEqual(expect.arrayContaining([...GAME_CHANGERS]));
    expect(choices('safety')).toEqual(expect.arrayContaining(['threats', 'doxxing', 'damage', 'unsure']));
  });

  it('keeps choice labels short enough for Slack (75 characters) and free of quotes (no nested quotes)', () => {
    const labels = requiredTextKeys(def)
      .filter((k) => k.includes('.choices.'))
      .flatMap((k) => (['nl', 'en'] as const).map((l) => [`${l}:${k}`, translator.t(l, k)] as const));
    expect(labels.filter(([, text]) => text.length > 75)).toEqual([]);
    expect(labels.filter(([, text]) => /[‘’“”"]/.test(text))).toEqual([]);
  });

  it('introduces Brandsma’s terms once, in plain Dutch, where the roles are asked', () => {
    const hint = translator.t('nl', 'checkin.roles.hint');
    for (const term of ['Pushers', 'joiners', 'stille midden'])
      expect(hint.toLowerCase()).toContain(term.toLowerCase());
    const rest = requiredTextKeys(def)
      .filter((k) => k !== 'checkin.roles.hint' && !k.startsWith('checkin.roles.choices.'))
      .map((k) => translator.t('nl', k).toLowerCase());
    expect(rest.filter((text) => /pusher|joiner/.test(text))).toEqual([]);
  });
});
