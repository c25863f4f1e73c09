/**
 * Slack for Bubbelbreker: Events API, interactivity and slash commands at POST /slack/events on the shared
 * server (Socket Mode with SLACK_APP_TOKEN), Block Kit rendering, and the Web API with Slack's rate limits.
 */
import type { SlackConfig } from '../../src/core/index.js';
import { createSlackAdapterImpl, type SlackAdapter, type SlackAdapterOptions } from './slack-adapter.js';
import type { SlackAdapterDeps } from './types.js';

export type { SlackAdapter, SlackAdapterOptions } from './slack-adapter.js';
export type { SlackAdapterDeps, SlackTuning } from './types.js';
export { BOT_EVENTS, BOT_SCOPES, SLACK_ROUTES, SLASH_COMMAND } from './app-spec.js';
export { signSlackBody, verifySlackRequest } from './verify.js';

/** Create the Slack adapter; `start(sink)` mounts its routes (and opens Socket Mode when an app token is set). */
export function createSlackAdapter(
  config: SlackConfig,
  deps: SlackAdapterDeps,
  options?: SlackAdapterOptions,
): SlackAdapter {
  return createSlackAdapterImpl(config, deps, options);
}
