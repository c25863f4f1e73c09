/**
 * Who may talk to the bot. With an app id, every inbound token is checked (token-validator.ts: issuer, audience,
 * expiry, signature, endorsement for the channel, serviceUrl) and there is deliberately no switch to turn that off:
 * the only way to run without it is local mode without an app id. The tenant allow-list is ours too.
 */
import { AdapterError, type TeamsConfig } from '../../src/core/index.js';

/** The only settings we give botbuilder's ConfigurationBotFrameworkAuthentication (it runs turns, checks nothing). */
export interface BotAuthSettings {
  MicrosoftAppId?: string;
  MicrosoftAppPassword?: string;
  MicrosoftAppTenantId?: string;
  MicrosoftAppType?: string;
  [key: string]: string | undefined;
}

/** Refuse to run without authentication outside local mode: without an app id no request is authenticated. */
export function assertAuthAllowed(config: TeamsConfig, localMode: boolean): void {
  if (!config.appId && !localMode) {
    throw new AdapterError(
      'teams',
      'Teams needs MICROSOFT_APP_ID outside local mode: without it no request would be authenticated',
      { code: 'ADAPTER_AUTH' },
    );
  }
  if (config.appId && config.appType !== 'UserAssignedMSI' && !config.appPassword) {
    throw new AdapterError('teams', 'Teams needs MICROSOFT_APP_PASSWORD with MICROSOFT_APP_ID', {
      code: 'ADAPTER_AUTH',
    });
  }
}

/** Settings for botbuilder; empty (no authentication) only when there is no app id, i.e. local mode. */
export function botAuthSettings(config: TeamsConfig): BotAuthSettings {
  if (!config.appId) return {};
  const settings: BotAuthSettings = { MicrosoftAppId: config.appId, MicrosoftAppType: config.appType };
  if (config.appPassword) settings.MicrosoftAppPassword = config.appPassword;
  if (config.appTenantId) settings.MicrosoftAppTenantId = config.appTenantId;
  return settings;
}

/** True when the tenant may use the bot; an empty allow-list admits every tenant. */
export function isTenantAllowed(config: TeamsConfig, tenantId: string): boolean {
  return config.allowedTenants.length === 0 || config.allowedTenants.includes(tenantId);
}
