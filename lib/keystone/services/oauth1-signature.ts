import { createHmac, randomBytes } from 'node:crypto';

/**
 * OAuth 1.0a request signing (RFC 5849, HMAC-SHA1), as Keystone's OS-OAUTH1 endpoints verify it
 * through oauthlib. Kept apart from the client so the signature itself can be tested and reused.
 */

/** RFC 5849 §3.6: unreserved characters stay, everything else is %XX (upper case). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** RFC 5849 §3.4.1.2: scheme and host lower case, default port dropped, no query or fragment. */
export function baseStringUri(url: string): string {
  const u = new URL(url);
  const defaultPort = (u.protocol === 'http:' && u.port === '80') || (u.protocol === 'https:' && u.port === '443');
  return `${u.protocol.toLowerCase()}//${u.hostname.toLowerCase()}${u.port && !defaultPort ? `:${u.port}` : ''}${u.pathname}`;
}

/** RFC 5849 §3.4.1: METHOD & base URI & normalised parameters (query + oauth_*, sorted). */
export function signatureBaseString(method: string, url: string, params: Record<string, string>): string {
  const all: [string, string][] = [...new URL(url).searchParams.entries()];
  for (const [k, v] of Object.entries(params)) all.push([k, v]);
  const normalised = all
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return [method.toUpperCase(), percentEncode(baseStringUri(url)), percentEncode(normalised)].join('&');
}

export function hmacSha1Signature(baseString: string, consumerSecret: string, tokenSecret = ''): string {
  return createHmac('sha1', `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`).update(baseString).digest('base64');
}

export interface OAuth1SignInput {
  method: string;
  /** Full URL as Keystone reconstructs it (scheme, host:port, path, query). */
  url: string;
  consumerKey: string;
  consumerSecret: string;
  token?: string;
  tokenSecret?: string;
  /** Further oauth_* parameters (oauth_callback, oauth_verifier). */
  extra?: Record<string, string>;
  /** Fixed values for tests; random/now otherwise. */
  nonce?: string;
  timestamp?: number;
}

/** The `Authorization: OAuth ...` header value for one request. */
export function oauth1AuthorizationHeader(input: OAuth1SignInput): string {
  const params: Record<string, string> = {
    oauth_consumer_key: input.consumerKey,
    // Keystone's validator accepts only hex nonces (keystone/oauth1/validator.py check_nonce).
    oauth_nonce: input.nonce ?? randomBytes(12).toString('hex'),
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: String(input.timestamp ?? Math.floor(Date.now() / 1000)),
    oauth_version: '1.0',
    ...(input.token ? { oauth_token: input.token } : {}),
    ...input.extra,
  };
  const signature = hmacSha1Signature(signatureBaseString(input.method, input.url, params), input.consumerSecret, input.tokenSecret);
  const all = { ...params, oauth_signature: signature };
  return 'OAuth ' + Object.entries(all).map(([k, v]) => `${percentEncode(k)}="${percentEncode(v)}"`).join(', ');
}
