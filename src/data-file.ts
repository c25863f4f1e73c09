/**
 * Data files (dialogs, the module catalogue) are YAML or JSON checked by a zod schema. Errors name the file
 * and the path inside it (`steps[2].choices: …`) or the line and column of a syntax error — never a code frame,
 * which would copy file content into logs.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
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
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new DataFileError(
      file,
      doc.errors.map((error) => {
        const { line, col } = lines.linePos(error.pos[0]);
        return `line ${line}, column ${col}: ${error.message}`;
      }),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new DataFileError(file, [`syntax: ${error instanceof Error ? error.message : 'unreadable document'}`]);
  }
  const result = schema.safeParse(data);
  if (!result.success) throw new DataFileError(file, result.error.issues.map(formatIssue));
  return result.data;
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
