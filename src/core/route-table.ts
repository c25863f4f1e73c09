import { normalizeCommand } from '../lib/text.js';
import type { Route } from '../message/types.js';
import type { ActionSpec, CommandSpec, DialogSpec, Feature } from './context.js';

/** A command found in what a person typed: its name, its spec, and the rest of the text. */
export interface ParsedCommand {
  name: string;
  spec: CommandSpec;
  args: string;
}

/** A button's route resolved to its verb, with the data read by the verb's schema. */
export interface ResolvedAction {
  feature: Feature;
  spec: ActionSpec;
  data: unknown;
}

/** Every command, button verb and dialog of every feature, built once at start-up. */
export interface RouteTable {
  readonly features: readonly Feature[];
  /** Recognise a command: only the command words on their own count, or with a short argument where allowed. */
  parseCommand(text: string): ParsedCommand | undefined;
  /** A command by its name (buttons that run a command). */
  command(name: string): CommandSpec | undefined;
  /** The verb a route leads to, or undefined when the route is unknown or its data does not fit (stale). */
  resolve(route: Route): ResolvedAction | undefined;
  /** The handler of a dialog's end. */
  dialog(dialogId: string): DialogSpec | undefined;
  /** Commands for the platforms' menus of a scope, open to everyone, in table order. */
  menuCommands(scope: 'personal' | 'shared'): { name: string; spec: CommandSpec }[];
}

/** An argument is at most this many words: "stoppen met windmolens?" must never read as the command "stop". */
const MAX_ARGUMENT_WORDS = 2;

/**
 * Build the table. Names and ids are looked up as own properties only: they come from what people type and click,
 * and `__proto__` or `constructor` must find nothing. Duplicates are programming errors and stop start-up.
 */
export function createRouteTable(features: readonly Feature[]): RouteTable {
  const commands = new Map<string, CommandSpec>();
  const byFeature = new Map<string, Feature>();
  const dialogs = new Map<string, DialogSpec>();
  const phrases: [string, string][] = [];

  for (const feature of features) {
    if (byFeature.has(feature.id)) throw new Error(`feature ${feature.id} is registered twice`);
    byFeature.set(feature.id, feature);
    for (const [name, spec] of Object.entries(feature.commands ?? {})) {
      if (commands.has(name)) throw new Error(`command ${name} is registered twice`);
      commands.set(name, spec);
      for (const word of spec.words) phrases.push([normalizeCommand(word), name]);
    }
    for (const [dialogId, spec] of Object.entries(feature.dialogs ?? {})) {
      if (dialogs.has(dialogId)) throw new Error(`dialog ${dialogId} is owned twice`);
      dialogs.set(dialogId, spec);
    }
  }
  const seen = new Map<string, string>();
  for (const [phrase, name] of phrases) {
    const other = seen.get(phrase);
    if (other && other !== name) throw new Error(`the words "${phrase}" belong to ${other} and ${name}`);
    seen.set(phrase, name);
  }
  // Longest phrases first, so "mijn resultaten" wins over a shorter alias.
  phrases.sort((a, b) => b[0].length - a[0].length);

  return {
    features,
    parseCommand(text) {
      const normalized = normalizeCommand(text);
      if (normalized.length === 0) return undefined;
      for (const [phrase, name] of phrases) {
        const spec = commands.get(name) as CommandSpec;
        if (normalized === phrase) return { name, spec, args: '' };
        if (spec.takesArgument && normalized.startsWith(`${phrase} `)) {
          const args = normalized.slice(phrase.length + 1).trim();
          if (args.split(' ').length <= MAX_ARGUMENT_WORDS) return { name, spec, args };
        }
      }
      return undefined;
    },
    command: (name) => commands.get(name),
    resolve(route) {
      const feature = byFeature.get(route.feature);
      const actions = feature?.actions;
      if (!feature || !actions || !Object.hasOwn(actions, route.verb)) return undefined;
      const spec = actions[route.verb] as ActionSpec;
      const parsed = spec.data.safeParse(route.data ?? {});
      return parsed.success ? { feature, spec, data: parsed.data } : undefined;
    },
    dialog: (dialogId) => dialogs.get(dialogId),
    menuCommands: (scope) =>
      [...commands.entries()]
        .filter(([, spec]) => spec.menu === 'everywhere' || (scope === 'personal' && spec.menu === 'personal'))
        .filter(([, spec]) => (spec.audience ?? 'everyone') === 'everyone')
        .map(([name, spec]) => ({ name, spec })),
  };
}
