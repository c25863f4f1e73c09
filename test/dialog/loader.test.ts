import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataFileError } from '../../src/errors.js';
import { loadDialogs, requiredTextKeys } from '../../src/dialog/loader.js';
import { DIALOGS_DIR, sampleDialog } from './talk.js';

const GOOD = `id: good
version: 2
steps:
  - id: hello
    kind: say
  - id: pick
    kind: single
    choices: [a, b]
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bubbel-dialogs-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Load `dir` and return the DataFileError it must throw. */
function loadError(): DataFileError {
  try {
    loadDialogs(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(DataFileError);
    return error as DataFileError;
  }
  throw new Error('expected loadDialogs to fail');
}

describe('loadDialogs', () => {
  it('loads a dialogs folder: the test folder with the sample dialog', () => {
    const dialogs = loadDialogs(DIALOGS_DIR);
    const sample = dialogs.get('sample');
    expect(sample?.version).toBe(1);
    expect(sample?.expiresAfterHours).toBe(72);
    expect(sample?.steps.map((s) => s.kind)).toEqual([
      'say',
      'single',
      'multi',
      'scale',
      'say',
      'single',
      'text',
      'say',
    ]);
    for (const [id, def] of dialogs) expect(def.id).toBe(id);
  });

  it('reads yaml, yml and json, and skips sub-folders, modules.yaml and other files', () => {
    writeFileSync(join(dir, 'good.yaml'), GOOD);
    writeFileSync(join(dir, 'other.yml'), GOOD.replace('id: good', 'id: other'));
    writeFileSync(
      join(dir, 'third.json'),
      JSON.stringify({ id: 'third', version: 1, steps: [{ id: 'why', kind: 'text', maxLength: 20 }] }),
    );
    writeFileSync(join(dir, 'modules.yaml'), 'modules: [not, a, dialog]\n');
    writeFileSync(join(dir, 'notes.md'), '# not a dialog\n');
    mkdirSync(join(dir, 'locales'));
    writeFileSync(join(dir, 'locales', 'nl.json'), '{"not": "a dialog"}');
    const dialogs = loadDialogs(dir);
    expect([...dialogs.keys()].sort()).toEqual(['good', 'other', 'third']);
    // Defaults from the schema are filled in.
    expect(dialogs.get('third')?.steps[0]).toMatchObject({ kind: 'text', optional: true });
    expect(dialogs.get('good')?.expiresAfterHours).toBe(72);
  });

  it('names the file and the path inside it for each schema problem', () => {
    writeFileSync(join(dir, 'good.yaml'), GOOD);
    writeFileSync(
      join(dir, 'broken.yaml'),
      `id: broken
version: 1
steps:
  - id: first
    kind: single
    choices: [only]
  - id: second
    kind: scale
    min: 1
    max: 1
    colour: red
  - id: third
    kind: multi
    choices: [a, b]
    min: 3
    next:
      - when: { step: first, in: [missing] }
        goto: nowhere
`,
    );
    const error = loadError();
    expect(error.file).toBe(join(dir, 'broken.yaml'));
    expect(error.message).toContain('broken.yaml');
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^steps\[0\]\.choices: /),
        expect.stringMatching(/^steps\[1\]: .*colour/),
        expect.stringMatching(/^steps\[2\]\.min: min is more than the number of choices/),
        expect.stringMatching(/^steps\[2\]\.next\[0\]\.goto: unknown step "nowhere"/),
        expect.stringMatching(/^steps\[2\]\.next\[0\]\.when\.in: "missing" is not a choice of step "first"/),
      ]),
    );
  });

  it('reports a missing field at the top level and a wrong kind', () => {
    writeFileSync(join(dir, 'nover.yaml'), 'id: nover\nsteps:\n  - id: a\n    kind: dance\n');
    const error = loadError();
    expect(error.file).toContain('nover.yaml');
    expect(error.issues.some((i) => i.startsWith('version: '))).toBe(true);
    expect(error.issues.some((i) => i.startsWith('steps[0].kind: '))).toBe(true);
  });

  it('reports YAML syntax errors with line numbers', () => {
    writeFileSync(join(dir, 'syntax.yaml'), 'id: syntax\nversion: 1\nsteps:\n  - id: a\n    kind: [say\n');
    const error = loadError();
    expect(error.file).toContain('syntax.yaml');
    expect(error.issues[0]).toMatch(/^line \d+, column \d+: /);
  });

  it('reports duplicate keys and JSON syntax errors with line numbers', () => {
    writeFileSync(join(dir, 'dupkey.yaml'), 'id: a\nid: b\nversion: 1\nsteps: []\n');
    expect(loadError().issues[0]).toBe('line 2, column 1: duplicated mapping key');
    rmSync(join(dir, 'dupkey.yaml'));
    writeFileSync(join(dir, 'bad.json'), '{\n  "id": "bad",\n  "version": 1,\n  "steps": [\n}\n');
    const error = loadError();
    expect(error.file).toContain('bad.json');
    expect(error.issues[0]).toMatch(/^line [45], column \d+: /);
  });

  it('refuses aliases, which could make the checks walk one object many times', () => {
    writeFileSync(
      join(dir, 'alias.yaml'),
      'id: alias\nversion: 1\nsteps:\n  - &a { id: a, kind: say, text: a }\n  - *a\n',
    );
    expect(loadError().issues).toEqual(['steps[1]: aliases (*name) are not allowed in data files']);
  });

  it('keeps the file content out of syntax errors (no code frame)', () => {
    writeFileSync(join(dir, 'frame.yaml'), 'id: frame\nversion: 1\nsecret-looking-text: [unclosed\n');
    const issues = loadError().issues.join('\n');
    expect(issues).toMatch(/^line \d+, column \d+: /);
    expect(issues).not.toContain('secret-looking-text');
  });

  it('refuses the same dialog id in two files, naming both', () => {
    writeFileSync(join(dir, 'a.yaml'), GOOD);
    writeFileSync(join(dir, 'b.yaml'), GOOD);
    const error = loadError();
    expect(error.file).toContain('b.yaml');
    expect(error.issues[0]).toMatch(/^id: dialog "good" is already defined in .*a\.yaml$/);
  });

  it('reports a folder that cannot be read', () => {
    const missing = join(dir, 'nope');
    expect(() => loadDialogs(missing)).toThrow(DataFileError);
    expect(() => loadDialogs(missing)).toThrow(/nope/);
  });
});

describe('requiredTextKeys', () => {
  it('lists every key the sample needs', () => {
    expect(requiredTextKeys(sampleDialog())).toEqual([
      'sample.intro.text',
      'sample.topic.prompt',
      'sample.topic.hint',
      'sample.topic.choices.wind',
      'sample.topic.choices.housing',
      'sample.topic.choices.budget',
      'sample.topic.choices.other',
      'sample.voices.prompt',
      'sample.voices.choices.residents',
      'sample.voices.choices.youth',
      'sample.voices.choices.entrepreneurs',
      'sample.voices.choices.neighbours',
      'sample.voices.choices.none',
      'sample.tension.prompt',
      'sample.tension.min',
      'sample.tension.max',
      'sample.tensionHigh.text',
      'sample.safety.prompt',
      'sample.safety.choices.yes',
      'sample.safety.choices.unsure',
      'sample.safety.choices.no',
      'sample.note.prompt',
      'sample.note.placeholder',
      'sample.thanks.text',
    ]);
  });

  const locales = Object.fromEntries(
    ['nl', 'en'].map((locale) => [
      locale,
      JSON.parse(readFileSync(join(DIALOGS_DIR, 'locales', `${locale}.json`), 'utf8')) as unknown,
    ]),
  );
  /** Look up a dotted key in the nested locale object. */
  const lookup = (tree: unknown, key: string): unknown =>
    key
      .split('.')
      .reduce<unknown>(
        (node, part) =>
          node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined,
        tree,
      );

  it.each(['nl', 'en'])('every dialog in dialogs/ has all its texts in %s.json', (locale) => {
    const missing: string[] = [];
    for (const def of loadDialogs(DIALOGS_DIR).values()) {
      for (const key of requiredTextKeys(def)) {
        const text = lookup(locales[locale], key);
        if (typeof text !== 'string' || text.trim() === '') missing.push(key);
      }
    }
    expect(missing).toEqual([]);
  });
});
