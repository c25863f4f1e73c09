import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataFile, parseDataFile } from '../data-file.js';
import { DataFileError } from '../errors.js';
import { PLATFORMS } from '../message/types.js';
import { DialogDefinitionSchema, type DialogDefinition } from './schema.js';

const DIALOG_FILE = /\.(ya?ml|json)$/i;
/** The module catalogue lives beside the dialogs but has its own loader and schema. */
const NOT_DIALOGS = new Set(['modules.yaml', 'modules.yml', 'modules.json']);

/**
 * Load and check every dialog file (`*.yaml`, `*.yml`, `*.json`) directly in `dir`, keyed by dialog id.
 * Sub-folders (such as `locales/`) and the module catalogue are not read. Throws a {@link DataFileError}
 * naming the file and each path inside it that is wrong, or a duplicate dialog id.
 */
export function loadDialogs(dir: string): Map<string, DialogDefinition> {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && DIALOG_FILE.test(entry.name) && !NOT_DIALOGS.has(entry.name.toLowerCase()))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    throw new DataFileError(dir, [
      `cannot read the dialogs folder (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
  const dialogs = new Map<string, DialogDefinition>();
  const fileOf = new Map<string, string>();
  for (const name of names) {
    const file = join(dir, name);
    const def = loadDialogFile(file);
    const earlier = fileOf.get(def.id);
    if (earlier !== undefined)
      throw new DataFileError(file, [`id: dialog "${def.id}" is already defined in ${earlier}`]);
    fileOf.set(def.id, file);
    dialogs.set(def.id, def);
  }
  return dialogs;
}

/** Read, parse (YAML or JSON) and check one dialog file. */
export function loadDialogFile(file: string): DialogDefinition {
  return loadDataFile(file, DialogDefinitionSchema);
}

/** Parse and check dialog text; `file` is only used in error messages. */
export function parseDialog(file: string, text: string): DialogDefinition {
  return parseDataFile(file, text, DialogDefinitionSchema);
}

/**
 * Every locale key a dialog needs: `<dialog>.<step>.text` for a say step; `.prompt` for a question, plus
 * `.choices.<id>` per choice, `.hint` when `hint` is set (`.hint.<platform>` per platform), `.min`/`.max` for a scale, `.placeholder` for text.
 */
export function requiredTextKeys(def: DialogDefinition): string[] {
  const keys: string[] = [];
  for (const step of def.steps) {
    const base = `${def.id}.${step.id}`;
    if (step.kind === 'say') {
      keys.push(`${base}.text`);
      continue;
    }
    keys.push(`${base}.prompt`);
    if (step.hint === true) keys.push(`${base}.hint`);
    if (step.hint === 'perPlatform') keys.push(...PLATFORMS.map((platform) => `${base}.hint.${platform}`));
    if (step.kind === 'single' || step.kind === 'multi')
      for (const choice of step.choices) keys.push(`${base}.choices.${choice}`);
    if (step.kind === 'scale') keys.push(`${base}.min`, `${base}.max`);
    if (step.kind === 'text') keys.push(`${base}.placeholder`);
  }
  return keys;
}
