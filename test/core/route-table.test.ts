import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { action, type Feature } from '../../src/core/context.js';
import { createRouteTable } from '../../src/core/route-table.js';
import { createFeatures } from '../../src/features/index.js';
import { normalizeCommand } from '../../src/lib/text.js';
import { silentLogger } from '../../src/logger.js';
import { openMemoryStore } from '../../src/store/create-store.js';
import { testConfig } from '../support/make-bot.js';

const noop = async () => undefined;
const product = () =>
  createRouteTable(
    createFeatures({
      config: testConfig(),
      log: silentLogger(),
      store: openMemoryStore(),
      deliver: async () => {
        throw new Error('not in this test');
      },
      addresses: {} as never, // not used by route building
      hash: () => '',
      sealer: {} as never,
      queue: {} as never,
      broadcasts: {} as never,
      now: Date.now,
      translate: () => (key: string) => key,
    }),
  );

describe('the route table: commands', () => {
  const table = product();
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
    expect(table.parseCommand(text)).toMatchObject({ name, args });
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
    expect(table.parseCommand(text)).toBeUndefined();
  });

  it('ignores case, accents and hyphens', () => {
    expect(normalizeCommand('  Check-In ')).toBe('check in');
    expect(normalizeCommand('Taal Énglish')).toBe('taal english');
  });

  it('lists for the menus only commands everyone may use, at most 10 (Teams allows 10 per scope)', () => {
    const menu = table.menuCommands('personal').map((c) => c.name);
    expect(menu).toEqual(
      expect.arrayContaining(['checkin', 'learn', 'myResults', 'help', 'myData', 'forgetMe', 'language']),
    );
    expect(menu.length).toBeLessThanOrEqual(10);
  });
});

describe('the route table: buttons', () => {
  const feature: Feature = {
    id: 'demo',
    commands: {
      open: { words: ['open'], menu: 'everywhere', run: noop },
      mine: { words: ['mijn'], menu: 'personal', run: noop },
      admin: { words: ['beheer'], menu: 'everywhere', audience: 'organiser', run: noop },
    },
    actions: { keep: action(z.object({ id: z.string() }).strict(), noop) },
  };
  const table = createRouteTable([feature]);

  it('resolves a route to its verb with the data read by its schema', () => {
    expect(table.resolve({ feature: 'demo', verb: 'keep', data: { id: 'r1' } })).toMatchObject({ data: { id: 'r1' } });
  });

  it('finds nothing for an unknown feature or verb, data that does not fit, or a name from Object', () => {
    expect(table.resolve({ feature: 'gone', verb: 'keep', data: { id: 'r1' } })).toBeUndefined();
    expect(table.resolve({ feature: 'demo', verb: 'drop', data: { id: 'r1' } })).toBeUndefined();
    expect(table.resolve({ feature: 'demo', verb: 'keep' })).toBeUndefined();
    expect(table.resolve({ feature: 'demo', verb: 'keep', data: { id: 'r1', extra: 'x' } })).toBeUndefined();
    expect(table.resolve({ feature: 'demo', verb: '__proto__' })).toBeUndefined();
    expect(table.command('constructor')).toBeUndefined();
  });

  it('keeps organiser commands out of the menus people see', () => {
    expect(table.menuCommands('personal').map((c) => c.name)).toEqual(['open', 'mine']);
    expect(table.menuCommands('shared').map((c) => c.name)).toEqual(['open']);
  });

  it('refuses two features with one id, one command name twice, or the same words for two commands', () => {
    expect(() => createRouteTable([feature, feature])).toThrow(/registered twice/);
    expect(() =>
      createRouteTable([feature, { id: 'other', commands: { open: { words: ['anders'], run: noop } } }]),
    ).toThrow(/command open/);
    expect(() =>
      createRouteTable([feature, { id: 'other', commands: { other: { words: ['Open'], run: noop } } }]),
    ).toThrow(/belong to open and other/);
  });
});
