/**
 * The command menus the platforms show (Teams' command lists, Slack's usage hint), built from the route table so
 * they always match what the bot understands. Only commands everyone may use are listed; organiser and admin
 * commands stay out of the menus people see.
 */
import type { Config } from '../config.js';
import { createRouteTable, type RouteTable } from '../core/route-table.js';
import { createTranslator } from '../i18n/translator.js';
import { silentLogger } from '../logger.js';
import type { Translate } from '../message/types.js';
import { openMemoryStore } from '../store/create-store.js';
import { createFeatures } from './index.js';

/** Teams shows at most 10 commands per scope. */
export const MAX_MENU_COMMANDS = 10;

/** One menu entry: what the person types (the Dutch command word) and a short description. */
export interface MenuEntry {
  name: string;
  title: string;
  description: string;
}

export interface CommandMenus {
  /** The 1:1 chat with the bot. */
  personal: MenuEntry[];
  /** Team channels and group chats. */
  shared: MenuEntry[];
}

/** The menus of a route table; descriptions are the `menu.<command>` texts. */
export function commandMenus(table: RouteTable, t: Translate): CommandMenus {
  const entries = (scope: 'personal' | 'shared') =>
    table.menuCommands(scope).map(({ name, spec }) => ({
      name,
      title: spec.words[0] ?? name,
      description: t(`menu.${name}`),
    }));
  const menus = { personal: entries('personal'), shared: entries('shared') };
  for (const [scope, list] of Object.entries(menus)) {
    if (list.length > MAX_MENU_COMMANDS)
      throw new Error(`the ${scope} menu has more than ${MAX_MENU_COMMANDS} commands`);
  }
  return menus;
}

/** The product's menus in Dutch, for the manifests; the features are built without starting anything. */
export function productCommandMenus(config: Pick<Config, 'modulesPath' | 'dialogsDir'>): CommandMenus {
  const features = createFeatures({
    config: config as Config,
    log: silentLogger(),
    store: openMemoryStore(),
    deliver: async () => {
      throw new Error('the menu is only read');
    },
    addresses: {} as never, // never used while only the table is read
    hash: () => '',
    sealer: {} as never,
    queue: {} as never,
    broadcasts: {} as never,
    now: Date.now,
    translate: () => (key: string) => key,
  });
  const translator = createTranslator({ dir: config.dialogsDir, defaultLocale: 'nl' });
  return commandMenus(createRouteTable(features), translator.bind('nl'));
}
