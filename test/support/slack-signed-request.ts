/**
 * Requests as Slack signs them (v0 HMAC over `v0:{timestamp}:{raw body}`), and sample payloads with the shapes
 * Slack sends (ids scrubbed), for the adapter's tests and the benchmark.
 */
import { createHmac } from 'node:crypto';

export const TEST_SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const TEST_TEAM = 'T0TEST';
export const TEST_BOT_USER = 'UBOT0001';

export interface SignedRequest {
  headers: Record<string, string>;
  body: string;
}

export interface SignOptions {
  secret?: string;
  /** Seconds since epoch; default now. */
  timestamp?: number;
  contentType?: string;
  /** Extra headers, e.g. X-Slack-Retry-Num. */
  headers?: Record<string, string>;
}

export function signature(secret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Sign a raw body (JSON string or form-encoded string) exactly as it will be sent. */
export function signedRequest(body: string, options: SignOptions = {}): SignedRequest {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    body,
    headers: {
      'content-type':
        options.contentType ?? (body.startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded'),
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature(options.secret ?? TEST_SIGNING_SECRET, timestamp, body),
      ...options.headers,
    },
  };
}

/** POST a signed request to the adapter's events URL. */
export async function postSigned(url: string, body: string, options: SignOptions = {}): Promise<Response> {
  const request = signedRequest(body, options);
  return fetch(url, { method: 'POST', headers: request.headers, body: request.body });
}

let seq = 0;
const nextId = (prefix: string) =>
  `${prefix}${Date.now().toString(36)}${(++seq).toString(36).padStart(4, '0')}`.toUpperCase();

/** An Events API envelope around `event`. */
export function eventCallback(event: Record<string, unknown>, eventId = nextId('Ev')): string {
  return JSON.stringify({
    token: 'unused-verification-token',
    team_id: TEST_TEAM,
    api_app_id: 'A0TEST',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: TEST_TEAM, user_id: TEST_BOT_USER, is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
  });
}

/** A person typing in their 1:1 chat with the bot (message.im). */
export function directMessage(user: string, text: string, channel = `D${user}`, eventId?: string): string {
  const ts = `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;
  return eventCallback({ type: 'message', channel, user, text, ts, event_ts: ts, channel_type: 'im' }, eventId);
}

export function appMention(user: string, text: string, channel = 'C0CHANNEL', threadTs?: string): string {
  const ts = `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;
  return eventCallback({
    type: 'app_mention',
    user,
    text: `<@${TEST_BOT_USER}> ${text}`,
    ts,
    channel,
    event_ts: ts,
    ...(threadTs ? { thread_ts: threadTs } : {}),
  });
}

export function homeOpened(user: string, channel = `D${user}`): string {
  return eventCallback({ type: 'app_home_opened', user, channel, tab: 'home', event_ts: `${Date.now() / 1000}` });
}

/** A slash command as Slack posts it (form-encoded). */
export function slashCommand(
  user: string,
  text: string,
  channel = 'C0CHANNEL',
  responseUrl = 'http://127.0.0.1:59999/commands/T0TEST/1/abc',
): string {
  return new URLSearchParams({
    token: 'unused',
    team_id: TEST_TEAM,
    team_domain: 'gemeente',
    channel_id: channel,
    channel_name: channel.startsWith('D') ? 'directmessage' : 'raad',
    user_id: user,
    user_name: 'raadslid',
    command: '/bubbelbreker',
    text,
    api_app_id: 'A0TEST',
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: nextId('trig.'),
  }).toString();
}

export interface ClickOptions {
  user: string;
  channel: string;
  messageTs: string;
  actionId: string;
  value?: string;
  /** state.values, for checkbox groups. */
  state?: Record<string, Record<string, unknown>>;
  selectedOption?: string;
  ephemeral?: boolean;
  fromHome?: boolean;
  actionTs?: string;
  responseUrl?: string;
}

/** A click on a button (block_actions), form-encoded with a JSON payload. */
export function blockAction(o: ClickOptions): string {
  const action: Record<string, unknown> = {
    action_id: o.actionId,
    block_id: 'b1',
    type: o.selectedOption ? 'static_select' : 'button',
    action_ts: o.actionTs ?? `${Date.now() / 1000}${++seq}`,
    ...(o.value !== undefined ? { value: o.value } : {}),
    ...(o.selectedOption
      ? { selected_option: { value: o.selectedOption, text: { type: 'plain_text', text: o.selectedOption } } }
      : {}),
  };
  const payload = {
    type: 'block_actions',
    user: { id: o.user, username: 'raadslid', team_id: TEST_TEAM },
    api_app_id: 'A0TEST',
    token: 'unused',
    container: o.fromHome
      ? { type: 'view', view_id: 'V0HOME' }
      : { type: 'message', message_ts: o.messageTs, channel_id: o.channel, is_ephemeral: o.ephemeral === true },
    trigger_id: nextId('trig.'),
    team: { id: TEST_TEAM, domain: 'gemeente' },
    ...(o.fromHome
      ? { view: { id: 'V0HOME', type: 'home' } }
      : { channel: { id: o.channel, name: 'directmessage' }, message: { ts: o.messageTs, type: 'message' } }),
    state: { values: o.state ?? {} },
    response_url: o.responseUrl ?? 'http://127.0.0.1:59999/actions/T0TEST/1/xyz',
    actions: [action],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The note modal being submitted (view_submission). */
export function viewSubmission(user: string, privateMetadata: string, text: string, viewId = nextId('V')): string {
  const payload = {
    type: 'view_submission',
    team: { id: TEST_TEAM, domain: 'gemeente' },
    user: { id: user, team_id: TEST_TEAM },
    api_app_id: 'A0TEST',
    trigger_id: nextId('trig.'),
    view: {
      id: viewId,
      hash: nextId('h'),
      type: 'modal',
      callback_id: 'bb-input',
      private_metadata: privateMetadata,
      state: { values: { 'bb-input': { text: { type: 'plain_text_input', value: text } } } },
    },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function urlVerification(challenge: string): string {
  return JSON.stringify({ token: 'unused', challenge, type: 'url_verification' });
}
