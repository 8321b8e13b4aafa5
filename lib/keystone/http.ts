import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Client, Pool } from 'undici';
import { KeystoneStatusError, KeystoneTransportError, classifyTransportError } from './errors.js';
import { maskBody } from './mask.js';
import { intSetting } from '../config/settings.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface KsResponse<T = any> {
  status: number;
  headers: Record<string, string>;
  body: T;
  /**
   * The id we sent in X-OpenStack-Request-ID. Keystone logs it as the global request id, so even a
   * request that got no answer can be found in its log.
   */
  requestId: string;
  /** The id Keystone assigned (x-openstack-request-id response header), when it answered. */
  keystoneRequestId?: string;
  method: HttpMethod;
  path: string;
  durationMs: number;
}

export interface RequestOptions {
  /** JSON-serialised unless `rawBody` is given. */
  body?: unknown;
  /** Sent verbatim (bad-input tests: non-JSON, odd bytes). */
  rawBody?: string | Buffer;
  token?: string | null;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  timeoutMs?: number;
  /**
   * The request is what the test judges (an RBAC cell's call), not its setup or cleanup: projects
   * that read back only their subject's writes (fixtures/test.ts) read back this one.
   */
  subject?: boolean;
}

/** One request/response as recorded for coverage and attachments (already masked). */
export interface Exchange {
  method: HttpMethod;
  path: string;
  baseUrl: string;
  status: number | null;
  outcome: 'response' | 'no-response' | 'timeout' | 'connect';
  requestId: string;
  durationMs: number;
  startedAt: string;
  requestBody?: string;
  responseBody?: string;
}
export type ExchangeObserver = (exchange: Exchange) => void;

/** A write that got a response, as a write hook sees it: the request body unmasked (hooks compare values). */
export interface AnsweredWrite {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Api path with its query string (`/v3/projects/abc`). */
  path: string;
  status: number;
  requestBody?: unknown;
  responseBody?: unknown;
  /** RequestOptions.subject: the test's judged request. */
  subject: boolean;
}
/** Awaited after every answered write before the caller gets the response; a throw fails the caller's call. */
export type WriteHook = (write: AnsweredWrite) => Promise<void>;

export interface HttpOptions {
  /**
   * A new TCP connection for every request, closed after it (read-backs): no pooled socket, so
   * no answer can come from a connection-affine worker or a proxy's cached upstream.
   */
  freshConnection?: boolean;
}

// The same variable and bounds as Settings.requestTimeoutMs, for clients made without settings.
const DEFAULT_TIMEOUT_MS = intSetting('KS_REQUEST_TIMEOUT_MS', 60_000, 1_000, 600_000);
const pools = new Map<string, Pool>();

/**
 * TLS of an external target (clouds.yaml cacert / insecure, OS_CACERT): the cluster setup sets these
 * two variables (lib/cluster/external.ts), the workers get them (lib/cluster/handover.ts). Read when a connection is made.
 */
export const TLS_CA_FILE_ENV = 'KS_TLS_CA_FILE';
export const TLS_INSECURE_ENV = 'KS_TLS_INSECURE';
function tlsConnectOptions(): { ca?: string; rejectUnauthorized?: boolean } {
  const caFile = process.env[TLS_CA_FILE_ENV];
  return {
    ...(caFile ? { ca: readFileSync(caFile, 'utf8') } : {}),
    ...(process.env[TLS_INSECURE_ENV] === '1' ? { rejectUnauthorized: false } : {}),
  };
}

function poolFor(origin: string): Pool {
  let pool = pools.get(origin);
  if (!pool) {
    // Keystone's uwsgi answers "Connection: close"; a pool still bounds concurrent sockets.
    pool = new Pool(origin, { connections: 128, connectTimeout: 5_000, connect: tlsConnectOptions() });
    pools.set(origin, pool);
  }
  return pool;
}

export async function closeAllPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.allSettled(all.map((p) => p.close()));
}

/**
 * The transport every service client shares: one undici Pool per origin, a timeout on every
 * request, a client-chosen request id (so even a request that got no answer can be found in
 * Keystone's log), and never a silent retry.
 */
export class KeystoneHttp {
  private readonly origin: string;
  private readonly prefix: string;
  private readonly observers: ExchangeObserver[] = [];
  private readonly writeHooks: WriteHook[] = [];

  constructor(readonly baseUrl: string, readonly defaultTimeoutMs = DEFAULT_TIMEOUT_MS, readonly options: HttpOptions = {}) {
    const u = new URL(baseUrl);
    this.origin = u.origin;
    // Base URL may be ".../identity" or ".../identity/v3": requests are always made to "/v3/...".
    this.prefix = u.pathname.replace(/\/+$/, '').replace(/\/v3$/, '');
  }

  observe(observer: ExchangeObserver): () => void {
    this.observers.push(observer);
    return () => {
      const i = this.observers.indexOf(observer);
      if (i >= 0) this.observers.splice(i, 1);
    };
  }

  /** Runs `hook` after every answered write of this transport until the returned function is called. */
  onWrite(hook: WriteHook): () => void {
    this.writeHooks.push(hook);
    return () => {
      const i = this.writeHooks.indexOf(hook);
      if (i >= 0) this.writeHooks.splice(i, 1);
    };
  }

  async request<T = any>(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<KsResponse<T>> {
    const requestId = `req-${randomUUID()}`;
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-openstack-request-id': requestId,
      'user-agent': 'keystone-release-gate',
      ...opts.headers,
    };
    let payload: string | Buffer | undefined;
    if (opts.rawBody !== undefined) payload = opts.rawBody;
    else if (opts.body !== undefined) payload = JSON.stringify(opts.body);
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
    if (opts.token) headers['x-auth-token'] = opts.token;
    const fullPath = this.prefix + path + queryString(opts.query);
    const timeout = opts.timeoutMs ?? this.defaultTimeoutMs;
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const record = (e: Omit<Exchange, 'method' | 'path' | 'baseUrl' | 'requestId' | 'startedAt' | 'requestBody'>) => {
      const exchange: Exchange = {
        method, path: path + queryString(opts.query), baseUrl: this.baseUrl, requestId, startedAt,
        requestBody: opts.rawBody !== undefined ? maskBody(String(opts.rawBody)) : opts.body === undefined ? undefined : maskBody(opts.body),
        ...e,
      };
      for (const o of this.observers) o(exchange);
    };
    const fresh = this.options.freshConnection ? new Client(this.origin, { connectTimeout: 5_000, pipelining: 0, connect: tlsConnectOptions() }) : undefined;
    let response: KsResponse<T>;
    try {
      const res = await (fresh ?? poolFor(this.origin)).request({
        method, path: fullPath, headers, body: payload,
        headersTimeout: timeout, bodyTimeout: timeout,
        signal: AbortSignal.timeout(timeout + 1_000),
      });
      const text = await res.body.text();
      const durationMs = performance.now() - started;
      const resHeaders: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) resHeaders[k] = Array.isArray(v) ? v.join(', ') : v;
      const body = parseBody(text, resHeaders['content-type']);
      response = {
        status: res.statusCode, headers: resHeaders, body: body as T,
        requestId, keystoneRequestId: resHeaders['x-openstack-request-id'], method, path, durationMs,
      };
      record({ status: res.statusCode, outcome: 'response', durationMs, responseBody: text ? maskBody(body) : undefined });
    } catch (err) {
      const durationMs = performance.now() - started;
      const kind = classifyTransportError(err);
      record({ status: null, outcome: kind, durationMs });
      throw new KeystoneTransportError(kind, method, path, requestId, durationMs, err);
    } finally {
      if (fresh) await fresh.destroy().catch(() => undefined);
    }
    if (this.writeHooks.length && method !== 'GET' && method !== 'HEAD') {
      const write: AnsweredWrite = { method, path: path + queryString(opts.query), status: response.status, requestBody: opts.body, responseBody: response.body, subject: opts.subject === true };
      for (const hook of [...this.writeHooks]) await hook(write);
    }
    return response;
  }
}

function queryString(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (!text) return null;
  if (contentType?.includes('json') || /^[\[{]/.test(text)) {
    try { return JSON.parse(text); } catch { return text; }
  }
  return text;
}

/** Returns the response when its status is one of `expected`, else throws a masked, descriptive error. */
export function expectStatus<T>(res: KsResponse<T>, ...expected: number[]): KsResponse<T> {
  if (!expected.includes(res.status)) {
    throw new KeystoneStatusError(res.method, res.path, res.status, expected, res.requestId, maskBody(res.body));
  }
  return res;
}
