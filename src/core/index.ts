/**
 * The core's public entry: the only module an adapter imports from src/. Adapters get what they need to turn a
 * platform's requests into neutral events and neutral messages into the platform's own; never store keys,
 * pseudonyms or a feature's internals.
 */
export type { AdapterHost, AdapterVault, ChatAdapter, InboxReplay } from '../message/adapter.js';
export type {
  ActionEvent,
  ActionPayload,
  Block,
  Button,
  Choice,
  CommandEvent,
  ConversationRef,
  FormField,
  InboundEvent,
  InboundSink,
  InstallEvent,
  Locale,
  MessageEvent,
  OutboundMessage,
  Platform,
  Route,
  SentRef,
  TurnIO,
  UninstallEvent,
  UserRef,
} from '../message/types.js';
export type { Logger } from 'pino';
export type { HttpMethod, HttpRoutes, RouteHandler, RouteParams, RouteSpec } from '../http/router.js';
export type { Config, SlackConfig, TeamsConfig } from '../config.js';
export type { OutboundPolicy, RateScope, RateWindow } from '../outbound/policy.js';
export { createOutboundPolicy } from '../outbound/policy.js';
export { backoffDelay, withRetries, type RetryConfig, type RetryVerdict } from '../outbound/retry.js';
export {
  AdapterError,
  BotError,
  RateLimitedError,
  RecipientUnreachableError,
  StoreError,
  toBotError,
} from '../errors.js';
export type { ErrorCode } from '../errors.js';
export { commandRoute, routeTo } from './context.js';
export { HttpError } from '../http/errors.js';
export { readBody, readJson } from '../http/body.js';
