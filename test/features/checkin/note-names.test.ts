/** The gentle check whether a note seems to name someone, in Dutch and English. */
import { describe, expect, it } from 'vitest';
import { looksLikeItNamesSomeone } from '../../../src/features/checkin/note-names.js';

describe('looksLikeItNamesSomeone', () => {
  it.each([
    'Volgende week met wethouder Jansen praten',
    'bellen met Wethouder Jansen',
    'Mail sturen naar p.devries@gemeente.nl',
    'Vragen aan @pieter of hij meedoet',
    'Gesprek met mevrouw De Vries over het azc',
    'Samen met Karin een plan maken.',
    'Talk to councillor Smith next week',
    'Ask Mr. Brown about the wind farm',
    'Meet with Sarah before the council meeting',
  ])('asks about "%s"', (note) => {
    expect(looksLikeItNamesSomeone(note)).toBe(true);
  });

  it.each([
    'Volgende week met de wijkagent praten',
    'Eerst het stille midden opzoeken. Daarna de buren.',
    'de wethouder vragen om een gesprek',
    'Talk to the neighbourhood police officer next week',
    'Plan a meeting on Monday in March with Slack and Teams users',
    'AZC en OZB bespreken met het team',
    '',
  ])('lets "%s" pass', (note) => {
    expect(looksLikeItNamesSomeone(note)).toBe(false);
  });
});
