import { describe, expect, it } from 'vitest';
import { normalize, parseCommand } from '../../src/core/router.js';

describe('command router', () => {
  it.each([
    ['checkin', 'checkin', ''],
    ['Check-in', 'checkin', ''],
    ['/bubbelbreker checkin', 'checkin', ''],
    ['MIJN  RESULTATEN', 'myResults', ''],
    ['my_data', 'myData', ''],
    ['vergeet-mij', 'forgetMe', ''],
    ['Forget me', 'forgetMe', ''],
    ['taal en', 'language', 'en'],
    ['language NL', 'language', 'nl'],
    ['leer m3', 'learn', 'm3'],
    ['leer de rollen', 'learn', 'de rollen'],
    ['hulp', 'help', ''],
    ['Terug', 'back', ''],
    ['stoppen', 'stop', ''],
  ])('%s → %s', (text, name, args) => {
    expect(parseCommand(text)).toEqual({ name, args });
  });

  it.each([
    'stoppen met windmolens?',
    'stop met dit gedoe',
    'terug naar af',
    'help ons',
    'checkin morgen',
    'leer ons alles over windmolens',
    'ik weet het niet',
    '',
  ])('reads "%s" as an answer, not a command', (text) => {
    expect(parseCommand(text)).toBeUndefined();
  });

  it('ignores case, accents and hyphens', () => {
    expect(normalize('  Check-In ')).toBe('check in');
    expect(normalize('Taal Énglish')).toBe('taal english');
  });
});
