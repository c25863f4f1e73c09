/** Every rule cites a public source: in the code (SOURCES in model.ts, named in comments) and in docs/method.md. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SOURCES } from '../../../src/features/checkin/model.js';

const DIR = 'src/features/checkin';
const code = readdirSync(DIR)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => [f, readFileSync(`${DIR}/${f}`, 'utf8')] as const);
const urls = Object.values(SOURCES).flatMap((v) => (typeof v === 'string' ? [v] : Object.values(v)));

describe('sources of the check-in', () => {
  it('docs/method.md lists every source the code cites', () => {
    const doc = readFileSync('docs/method.md', 'utf8');
    expect(urls.filter((url) => !doc.includes(url))).toEqual([]);
  });

  it('every SOURCES.<name> named in the check-in code exists', () => {
    const named = code.flatMap(([file, text]) =>
      [...text.matchAll(/SOURCES\.([a-zA-Z]+)/g)].map((m) => [file, m[1] as string] as const),
    );
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter(([, name]) => !Object.hasOwn(SOURCES, name))).toEqual([]);
  });

  it('the diagnosis names a source for each of its rules', () => {
    const diagnosis = code.find(([f]) => f === 'diagnosis.ts')?.[1] ?? '';
    for (const name of [
      'brandsmaRoles',
      'bridgeBuilderTrap',
      'glasl',
      'glaslSignals',
      'glaslInterventions',
      'glaslPhases',
      'kinds',
      'kisVertical',
      'participationLadder',
      'brandsmaGameChangers',
    ])
      expect(diagnosis, name).toContain(`SOURCES.${name}`);
  });
});
