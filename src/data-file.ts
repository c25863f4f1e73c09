/**
 * Data files (dialogs, the module catalogue) are YAML or JSON checked by a zod schema. Errors name the file
 * and the path inside it (`steps[2].choices: …`) or the line and column of a syntax error — never a code frame,
 * which would copy file content into logs.
 *
 * Parsed with js-yaml (YAML 1.2 core schema: `yes` stays a string): read at every start, and about ten times faster
 * there than the `yaml` package. Duplicate keys are an error; aliases (`*name`) are refused, because a data file
 * that reuses one object in many places could make the checks below walk it exponentially often.
 */
import { readFileSync } from 'node:fs';
import { load, YAMLException } from 'js-yaml';
import type { z } from 'zod';
import { DataFileError } from './errors.js';

/** Read, parse (YAML or JSON) and check one data file. */
export function loadDataFile<T>(file: string, schema: z.ZodType<T>): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DataFileError(file, [`cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  return parseDataFile(file, text, schema);
}

/** Parse and check data-file text; `file` is only used in error messages. JSON is read as the YAML subset it is. */
export function parseDataFile<T>(file: string, text: string, schema: z.ZodType<T>): T {
  let data: unknown;
  try {
    data = load(text);
  } catch (error) {
    if (error instanceof YAMLException && error.mark) {
      // `reason` only: `message` carries a code frame with the file's content.
      throw new DataFileError(file, [`line ${error.mark.line + 1}, column ${error.mark.column + 1}: ${error.reason}`]);
    }
    throw new DataFileError(file, ['syntax: unreadable document']);
  }
  const reused = firstReuse(data);
  if (reused !== undefined) throw new DataFileError(file, [`${reused}: aliases (*name) are not allowed in data files`]);
  const result = schema.safeParse(data);
  if (!result.success) throw new DataFileError(file, result.error.issues.map(formatIssue));
  return result.data;
}

/** The path of the first object or list that appears a second time (an alias), if any. */
function firstReuse(root: unknown): string | undefined {
  const seen = new WeakSet<object>();
  const walk = (value: unknown, path: PropertyKey[]): string | undefined => {
    if (value === null || typeof value !== 'object') return undefined;
    if (seen.has(value)) return formatPath(path);
    seen.add(value);
    const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
    for (const [key, item] of entries) {
      const found = walk(item, [...path, key]);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(root, []);
}

/** `steps[2].choices: too small` — the path inside the file, then what is wrong. */
export function formatIssue(issue: z.core.$ZodIssue): string {
  return `${formatPath(issue.path)}: ${issue.message}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(top level)' : out;
}
