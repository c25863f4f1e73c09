/** `npm run dev`: try Bubbelbreker locally. Until the Teams playground is wired in, this opens the terminal chat. */
import { loadConfig } from './config.js';
import { runChat } from './main.js';

const config = loadConfig(undefined, { BOT_LOCAL_MODE: '1' });
await runChat(config, { input: process.stdin, output: process.stdout, interactive: process.stdin.isTTY === true });
