/**
 * The core's public entry: the only module an adapter imports from src/.
 */
export type { ChatAdapter } from './adapter.js';
export type {
  ActionEvent,
  ActionPayload,
  Block,
  Button,
  Choice,
  CommandEvent,
  ConversationRef,
  InboundEvent,
  InboundSink,
  InstallEvent,
  Locale,
  MessageEvent,
  OutboundMessage,
  Platform,
  SentRef,
  TurnIO,
  UninstallEvent,
  UserRef,
} from './types.js';
export type { Logger } from 'pino';
export type { HttpMethod, HttpRoutes, RouteHandler, RouteParams, RouteSpec } from '../http/router.js';
export type { Config, SlackConfig, TeamsConfig } from '../config.js';
export type { KeyValueStore } from '../store/store.js';
export { keys, DEDUPE_TTL_MS } from '../store/keys.js';
export {
  AdapterError,
  BotError,
  RateLimitedError,
  RecipientUnreachableError,
  StoreError,
  toBotError,
} from '../errors.js';
export type { ErrorCode } from '../errors.js';
export { parseCommand } from './router.js';
export { HttpError } from '../http/errors.js';
export { readBody, readJson } from '../http/body.js';
