import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  defaultCallbackFailure,
  InstallProvider,
  type Installation,
  type InstallationQuery,
  type InstallationStore,
} from '@slack/oauth';
import type { WebClientOptions } from '@slack/web-api';
import { AdapterError, type AdapterVault, type Logger, type SlackConfig } from '../../src/core/index.js';
import { BOT_SCOPES } from './app-spec.js';
import { sdkLogger } from './sdk-logger.js';

/** What we keep of an installation: the bot token and ids, nothing about the person who installed it. */
export interface StoredInstallation {
  teamId: string;
  botToken: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
  scopes?: string[];
  installedAt: number;
}

export interface Installations {
  /** The bot token for a workspace: the single configured token, or the OAuth installation. */
  tokenFor(teamId: string): Promise<string>;
  /** Forget a workspace's installation (app_uninstalled, tokens_revoked). */
  remove(teamId: string): Promise<void>;
  /** The OAuth routes' handlers, when the OAuth flow is configured. */
  readonly oauth?: {
    install: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    callback: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  };
}

export interface InstallationsDeps {
  config: SlackConfig;
  /** Where installations are kept, encrypted by the core (available once the adapter started). */
  vault: () => AdapterVault;
  log: Logger;
  now: () => number;
  clientOptions: WebClientOptions;
  /** Called after a successful OAuth install with the installing person (to send a welcome). */
  onInstalled?: (teamId: string, userId: string) => void;
}

/**
 * A single workspace token by default (SLACK_BOT_TOKEN); with SLACK_CLIENT_ID/SECRET/STATE_SECRET the OAuth
 * installation flow of @slack/oauth, its installations (with their tokens) kept encrypted in the core's vault.
 */
export function createInstallations(deps: InstallationsDeps): Installations {
  const { config } = deps;
  const cache = new Map<string, string>();
  const key = (teamId: string) => `installation:${teamId}`;

  const installationStore: InstallationStore = {
    async storeInstallation(installation) {
      const teamId = installation.team?.id;
      const botToken = installation.bot?.token;
      if (!teamId || !botToken)
        throw new AdapterError('slack', 'only workspace installations with a bot token are supported');
      const stored: StoredInstallation = {
        teamId,
        botToken,
        botUserId: installation.bot?.userId,
        botId: installation.bot?.id,
        appId: installation.appId,
        scopes: installation.bot?.scopes,
        installedAt: deps.now(),
      };
      await deps.vault().set(key(teamId), stored);
      cache.set(teamId, botToken);
    },
    async fetchInstallation(query: InstallationQuery<boolean>) {
      const stored = query.teamId ? await deps.vault().get<StoredInstallation>(key(query.teamId)) : undefined;
      if (!stored) throw new AdapterError('slack', 'no installation for this workspace', { code: 'ADAPTER_AUTH' });
      const installation: Installation<'v2', false> = {
        team: { id: stored.teamId },
        enterprise: undefined,
        user: { id: '', token: undefined, scopes: undefined },
        bot: {
          token: stored.botToken,
          userId: stored.botUserId ?? '',
          id: stored.botId ?? '',
          scopes: stored.scopes ?? [],
        },
        appId: stored.appId,
        tokenType: 'bot',
        isEnterpriseInstall: false,
        authVersion: 'v2',
      };
      return installation;
    },
    async deleteInstallation(query) {
      if (query.teamId) await deps.vault().delete(key(query.teamId));
    },
  };

  let oauth: Installations['oauth'];
  if (config.oauth) {
    const provider = new InstallProvider({
      clientId: config.oauth.clientId,
      clientSecret: config.oauth.clientSecret,
      stateSecret: config.oauth.stateSecret,
      installationStore,
      clientOptions: deps.clientOptions,
      logger: sdkLogger(deps.log, 'oauth'),
      directInstall: true,
      installUrlOptions: { scopes: [...BOT_SCOPES] },
      authorizationUrl: new URL('../oauth/v2/authorize', config.apiUrl).toString(),
    });
    oauth = {
      install: (req, res) => provider.handleInstallPath(req, res, undefined, { scopes: [...BOT_SCOPES] }),
      callback: (req, res) =>
        provider.handleCallback(req, res, {
          afterInstallation: async (installation) => {
            const teamId = installation.team?.id;
            const userId = installation.user?.id;
            if (teamId && userId) setImmediate(() => deps.onInstalled?.(teamId, userId));
            return true;
          },
          failure: (error, options, request, response) => {
            deps.log.warn({ code: error.code }, 'slack installation failed');
            defaultCallbackFailure(error, options, request, response);
          },
        }),
    };
  }

  return {
    oauth,
    async tokenFor(teamId) {
      if (config.botToken) return config.botToken;
      const cached = cache.get(teamId);
      if (cached) return cached;
      const stored = await deps.vault().get<StoredInstallation>(key(teamId));
      if (!stored) throw new AdapterError('slack', 'no installation for this workspace', { code: 'ADAPTER_AUTH' });
      cache.set(teamId, stored.botToken);
      return stored.botToken;
    },
    async remove(teamId) {
      cache.delete(teamId);
      if (!config.botToken) await deps.vault().delete(key(teamId));
    },
  };
}
