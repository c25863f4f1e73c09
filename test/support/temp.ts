/**
 * Temp folders for tests, removed when the test file is done (test/setup.ts calls `removeTempDirs` after all
 * tests of a file), so nothing is left behind in the temp directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A fresh folder under the system temp directory, deleted after this test file. */
export function tempDir(prefix = 'bb-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Delete every folder `tempDir` made in this test file. */
export function removeTempDirs(): void {
  for (const path of made.splice(0)) rmSync(path, { recursive: true, force: true });
}
