import { spawn, spawnSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from './e2e/support/playground-client.js';
import { tempDir } from './support/temp.js';

const ROOT = resolve(import.meta.dirname, '..');

function baseEnv(extra: Record<string, string>): Record<string, string> {
  const dir = tempDir('bb-main-');
  return {
    PATH: process.env.PATH ?? '',
    DATABASE_PATH: join(dir, 'bb.sqlite'),
    KEYS_DIR: join(dir, 'keys'),
    LOG_LEVEL: 'info',
    ...extra,
  };
}

describe('the server process (src/main.ts)', () => {
  it('serves /healthz and /readyz, and on SIGTERM finishes and closes cleanly', async () => {
    const port = await freePort();
    const env = baseEnv({
      PORT: String(port),
      PSEUDONYM_KEY: 'main-test-key-0123456789abcdef0123456789',
      DATA_KEY: 'a'.repeat(64),
      NODE_ENV: 'development',
    });
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 20_000;
    let ready = false;
    while (!ready && Date.now() < deadline) {
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready).toBe(true);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('shutting down');
    expect(output).toContain('bubbelbreker stopped');
  });

  it('refuses a production start without platform credentials, naming what is missing', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: baseEnv({ NODE_ENV: 'production', PSEUDONYM_KEY: 'main-test-key-0123456789abcdef0123456789' }),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('NODE_ENV: production needs Slack');
  });

  it('stops start-up on malformed dialog data with the file and the path inside it', () => {
    const dialogs = tempDir('bb-dialogs-');
    cpSync(join(ROOT, 'dialogs'), dialogs, { recursive: true });
    writeFileSync(
      join(dialogs, 'sample.yaml'),
      'id: sample\nversion: 1\nsteps:\n  - id: a\n    kind: single\n    choices: [only]\n',
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'chat'], {
      cwd: ROOT,
      env: baseEnv({ DIALOGS_DIR: dialogs, MODULES_PATH: join(dialogs, 'modules.yaml') }),
      input: 'help\n',
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('sample.yaml');
    expect(run.stderr).toContain('steps[0].choices');
  });
});
