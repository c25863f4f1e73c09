/**
 * `npm run dev`: try Bubbelbreker on this machine, no Microsoft account needed. Starts the bot in local mode
 * (Teams without authentication, the store in ./data) together with the Microsoft 365 Agents Playground, and
 * prints the address to open. Ctrl-C stops both. Without the playground (it is Microsoft's pre-release tool,
 * a devDependency), `npm run chat` is the licence-free way to try it in the terminal.
 */
import { pathToFileURL } from 'node:url';
import { loadConfig } from './config.js';
import { ConfigError, DataFileError } from './errors.js';
import { startApp } from './main.js';
import { startPlayground } from './playground.js';

export async function runDev(): Promise<void> {
  // Local mode, and no app id even when .env has one: the playground cannot sign its requests.
  const config = loadConfig(undefined, {
    BOT_LOCAL_MODE: '1',
    MICROSOFT_APP_ID: undefined,
    MICROSOFT_APP_PASSWORD: undefined,
  });
  const app = await startApp(config);
  let playground: Awaited<ReturnType<typeof startPlayground>>;
  try {
    playground = await startPlayground({ botEndpoint: `http://127.0.0.1:${app.port}/api/messages` });
  } catch (error) {
    await app.close();
    throw error;
  }
  const line = '─'.repeat(64);
  process.stdout.write(
    `\n${line}\n  Bubbelbreker draait lokaal / runs locally.\n\n  Open in je browser / open in your browser:  ${playground.url}\n\n` +
      `  Typ "checkin" om te beginnen / type "checkin" to start.  Stoppen / stop: Ctrl-C\n${line}\n\n`,
  );
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await playground.stop();
    await app.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  playground.process.once('exit', (code) => {
    // Ctrl-C reaches the playground too (same process group): give our own SIGINT a moment to arrive first.
    setTimeout(() => {
      if (stopping) return;
      process.stderr.write(`The playground stopped (exit ${code}); see ${playground.logFile}\n`);
      void stop(1);
    }, 500).unref();
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runDev().catch((error: unknown) => {
    const message =
      error instanceof ConfigError || error instanceof DataFileError
        ? error.message
        : ((error as Error)?.message ?? 'start-up failed');
    process.stderr.write(`bubbelbreker dev: ${message}\n`);
    process.exit(1);
  });
}
