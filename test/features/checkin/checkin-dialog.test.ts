import { describe, expect, it } from 'vitest';
import { CHANNELS, GAME_CHANGERS, ROLES, SIGNAL_STAGE, VOICES } from '../../../src/features/checkin/model.js';
import { advance, predictPath } from '../../../src/dialog/engine.js';
import { loadDialogs, requiredTextKeys } from '../../../src/dialog/loader.js';
import { createTranslator } from '../../../src/i18n/translator.js';

const def = loadDialogs('dialogs').get('checkin');
const translator = createTranslator({ dir: 'dialogs' });

describe('dialogs/checkin.yaml', () => {
  it('loads through the real loader', () => {
    expect(def?.id).toBe('checkin');
  });

  it('has every text in Dutch and English', () => {
    const missing = requiredTextKeys(def!).flatMap((key) =>
      (['nl', 'en'] as const).filter((l) => !translator.has(l, key)).map((l) => `${l}:${key}`),
    );
    expect(missing).toEqual([]);
  });

  it('counts the person’s own path: the longest first, then shorter once the track is known', () => {
    expect(predictPath(def!, {})).toHaveLength(9);
    expect(predictPath(def!, { role: 'raadslid', kind: 'conflict' })).toHaveLength(7);
    expect(predictPath(def!, { role: 'raadslid', kind: 'polarisation' })).toHaveLength(8);
    expect(predictPath(def!, { role: 'raadslid', kind: 'both' })).toHaveLength(9);
    expect(predictPath(def!, { role: 'raadslid', kind: 'conflict' })).not.toContain('roles');
    expect(predictPath(def!, { role: 'raadslid', kind: 'polarisation' })).not.toContain('signals');
    // The optional closing note is an unnumbered extra, so "vraag X van Y" never goes above 8.
    const numbered = predictPath(def!, {}).filter(
      (id) => !def!.steps.some((s) => s.id === id && s.kind === 'text' && s.extra),
    );
    expect(numbered).toHaveLength(8);
    expect(numbered).not.toContain('note');
  });

  it('ends with the safety outcome when threats or damage are reported', () => {
    let r = advance(def!, undefined, { type: 'start', now: 0 });
    for (const [stepId, value] of [
      ['role', 'ambtenaar'],
      ['kind', 'polarisation'],
      ['safety', 'threats'],
    ] as const) {
      r = advance(def!, r.state, { type: 'answer', stepId, turn: r.state.turn, value, now: 1 });
    }
    expect(r.state.status).toBe('done');
    expect(r.outputs).toContainEqual({ kind: 'done', outcome: 'safety' });
  });

  it('offers "weet niet" where it is honest, and an optional short note that warns against names', () => {
    for (const id of ['kind', 'signals', 'roles', 'voices', 'participation', 'gameChangers']) {
      const step = def!.steps.find((s) => s.id === id);
      expect(step && 'choices' in step ? step.choices : [], id).toContain('dontKnow');
    }
    const note = def!.steps.find((s) => s.id === 'note');
    expect(note).toMatchObject({ kind: 'text', maxLength: 280, optional: true });
    expect(translator.t('nl', 'checkin.note.prompt')).toMatch(/geen namen/);
    expect(translator.t('en', 'checkin.note.prompt')).toMatch(/not name/);
  });

  it('holds every choice id the diagnosis reads', () => {
    const choices = (id: string) => {
      const step = def!.steps.find((s) => s.id === id);
      return step && 'choices' in step ? step.choices : [];
    };
    expect(choices('signals')).toEqual(expect.arrayContaining(Object.keys(SIGNAL_STAGE)));
    expect(choices('roles')).toEqual(expect.arrayContaining([...ROLES, 'meSide', 'meMiddle', 'meAbove']));
    expect(choices('voices')).toEqual(expect.arrayContaining([...VOICES]));
    expect(choices('participation')).toEqual(
      expect.arrayContaining([...CHANNELS, 'unclearPromise', 'lessThanPromised', 'notYet']),
    );
    expect(choices('gameChangers')).toEqual(expect.arrayContaining([...GAME_CHANGERS]));
    expect(choices('safety')).toEqual(expect.arrayContaining(['threats', 'damage', 'unsure']));
  });

  it('keeps choice labels short enough for Slack (75 characters)', () => {
    const long = requiredTextKeys(def!)
      .filter((k) => k.includes('.choices.'))
      .flatMap((k) => (['nl', 'en'] as const).map((l) => [`${l}:${k}`, translator.t(l, k).length] as const))
      .filter(([, n]) => n > 75);
    expect(long).toEqual([]);
  });
});
