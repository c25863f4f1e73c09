/**
 * The one HTTP client behind every outbound call of the Teams adapter (Bot Connector, the bot's token, OpenID
 * metadata): one keep-alive agent per protocol, shared by all calls, and a deadline on every call, so no call can
 * hang a turn or a shutdown. The deadline is a plain timer (tests drive it with fake timers); an AbortSignal cuts
 * a call off at once (shutdown). Bodies are strings: callers serialise once, and nothing here logs them.
 */
import { Agent as HttpAgent, type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** What came back: status, headers and the body as text. */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One call. `url` is absolute; `timeoutMs` overrides the client's deadline for this call. */
export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string | URL;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The call ran past its deadline (the request was destroyed; the server may or may not have acted on it). */
export class HttpTimeoutError extends Error {
  override readonly name = 'HttpTimeoutError';
  readonly code = 'ETIMEDOUT';
}

/** The caller aborted the call (shutdown). */
export class HttpAbortError extends Error {
  override readonly name = 'HttpAbortError';
  readonly code = 'ABORTED';
}

/** Sends calls over shared keep-alive connections. */
export interface HttpClient {
  request(call: HttpCall): Promise<HttpResponse>;
  /** Close the idle connections; calls still running finish. */
  close(): void;
}

export interface HttpClientOptions {
  /** Deadline of a call from start to the last byte of the answer. */
  timeoutMs: number;
  /** Larger answers are cut off and fail (the Bot Connector's are a few hundred bytes). */
  maxResponseBytes?: number;
  /** Connections per host at once. */
  maxSockets?: number;
}

/** Create the client with one keep-alive agent for http and one for https. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const maxBytes = options.maxResponseBytes ?? 1024 * 1024;
  // An idle connection is dropped after 30 s, well before servers typically close theirs (fewer resets on reuse).
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? 64,
    maxFreeSockets: 16,
    timeout: 30_000,
    scheduling: 'lifo' as const,
  };
  const agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };

  function once(call: HttpCall, url: URL, retryOnStaleSocket: boolean): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      if (call.signal?.aborted) {
        reject(new HttpAbortError('aborted'));
        return;
      }
      const secure = url.protocol === 'https:';
      const headers: Record<string, string | number> = { ...call.headers };
      if (call.body !== undefined) headers['content-length'] = Buffer.byteLength(call.body);
      const req = (secure ? httpsRequest : httpRequest)(url, {
        method: call.method,
        headers,
        agent: secure ? agents.https : agents.http,
      });
      let settled = false;
      const finish = (outcome: Error | HttpResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        call.signal?.removeEventListener('abort', onAbort);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const onAbort = (): void => {
        req.destroy();
        finish(new HttpAbortError('aborted'));
      };
      const timer = setTimeout(() => {
        req.destroy();
        finish(new HttpTimeoutError(`no answer within ${call.timeoutMs ?? options.timeoutMs} ms`));
      }, call.timeoutMs ?? options.timeoutMs);
      call.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed just as we reused it: the request never reached the server,
        // so sending it once more on a fresh connection is safe (Node's documented pattern).
        if (!settled && retryOnStaleSocket && req.reusedSocket && error.code === 'ECONNRESET') {
          settled = true;
          clearTimeout(timer);
          call.signal?.removeEventListener('abort', onAbort);
          once(call, url, false).then(resolve, reject);
          return;
        }
        finish(error);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            req.destroy();
            finish(new Error('response too large'));
          } else chunks.push(chunk);
        });
        res.on('end', () => {
          const body = Buffer.concat(chunks, size).toString('utf8');
          finish({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
        res.on('error', (error) => finish(error));
      });
      req.end(call.body);
    });
  }

  return {
    request(call) {
      let url: URL;
      try {
        url = typeof call.url === 'string' ? new URL(call.url) : call.url;
      } catch (error) {
        return Promise.reject(error);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        return Promise.reject(new Error('only http and https URLs are called'));
      }
      return once(call, url, true);
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
