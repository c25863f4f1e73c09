export { createConsoleAdapter } from './console-adapter.js';
export type { ConsoleAdapter, ConsoleAdapterConfig } from './console-adapter.js';
export { readLine, renderForConsole } from './render.js';
