import type { KeystoneHttp, KsResponse, RequestOptions } from '../http.js';
import { bodyForMessage, registerSecret } from '../mask.js';
import { oauth1AuthorizationHeader } from './oauth1-signature.js';
import { CrudClient, ServiceClient, seg, type TokenSource } from './service-client.js';

export interface Consumer { id: string; description?: string | null; secret?: string; links: { self: string } }
/** A request or access token key pair from a form-encoded OS-OAUTH1 response. */
export interface OAuth1TokenPair { key: string; secret: string; expiresAt?: string }
export interface OAuth1AccessToken {
  id: string;
  consumer_id: string;
  project_id: string;
  authorizing_user_id: string;
  expires_at: string | null;
  links: { self: string };
}

/** /v3/OS-OAUTH1/consumers. */
export class ConsumersClient extends CrudClient<Consumer> {
  constructor(http: KeystoneHttp, tokenSource: TokenSource) { super(http, tokenSource, '/v3/OS-OAUTH1/consumers', 'consumer', 'consumers'); }
  override async create(entity: Record<string, unknown>, opts: RequestOptions = {}) {
    const res = await super.create(entity, opts);
    registerSecret((res.body?.consumer as Consumer | undefined)?.secret);
    return res;
  }
}

/**
 * The OS-OAUTH1 delegation flow: signed request token, authorization by the user, signed
 * access token exchange, signed token issue; plus the user's access-token management.
 */
export class OAuth1Client extends ServiceClient {
  /** The absolute URL Keystone reconstructs for `path` (what the signature covers). */
  signingUrl(path: string): string {
    const u = new URL(this.http.baseUrl);
    return `${u.origin}${u.pathname.replace(/\/+$/, '').replace(/\/v3$/, '')}${path}`;
  }

  sign(method: string, path: string, consumer: { id: string; secret: string }, token?: OAuth1TokenPair, extra?: Record<string, string>): string {
    return oauth1AuthorizationHeader({
      method, url: this.signingUrl(path), consumerKey: consumer.id, consumerSecret: consumer.secret,
      token: token?.key, tokenSecret: token?.secret, extra,
    });
  }

  /** POST /v3/OS-OAUTH1/request_token (unauthenticated, signed with the consumer secret). */
  requestToken(consumer: { id: string; secret: string }, projectId: string, opts: RequestOptions = {}) {
    const path = '/v3/OS-OAUTH1/request_token';
    return this.call<string>('POST', path, {
      token: null, ...opts,
      headers: { authorization: this.sign('POST', path, consumer, undefined, { oauth_callback: 'oob' }), 'requested-project-id': projectId, ...opts.headers },
    });
  }

  /** PUT /v3/OS-OAUTH1/authorize/{request_token_id} with the authorizing user's token. */
  authorize(requestTokenId: string, roles: { id?: string; name?: string }[], opts: RequestOptions = {}) {
    return this.call<{ token: { oauth_verifier: string } }>('PUT', `/v3/OS-OAUTH1/authorize/${seg(requestTokenId)}`, { body: { roles }, ...opts });
  }

  /** POST /v3/OS-OAUTH1/access_token (signed with consumer and request-token secrets). */
  accessToken(consumer: { id: string; secret: string }, requestToken: OAuth1TokenPair, verifier: string, opts: RequestOptions = {}) {
    const path = '/v3/OS-OAUTH1/access_token';
    return this.call<string>('POST', path, {
      token: null, ...opts,
      headers: { authorization: this.sign('POST', path, consumer, requestToken, { oauth_verifier: verifier }), ...opts.headers },
    });
  }

  /** POST /v3/auth/tokens with the oauth1 method, signed with the access token. */
  authenticate(consumer: { id: string; secret: string }, accessToken: OAuth1TokenPair, opts: RequestOptions = {}) {
    const path = '/v3/auth/tokens';
    return this.call('POST', path, {
      token: null, body: { auth: { identity: { methods: ['oauth1'], oauth1: {} } } }, ...opts,
      headers: { authorization: this.sign('POST', path, consumer, accessToken), ...opts.headers },
    });
  }

  private tokensPath(userId: string): string { return `/v3/users/${seg(userId)}/OS-OAUTH1/access_tokens`; }
  listAccessTokens(userId: string, opts: RequestOptions = {}) {
    return this.call<{ access_tokens: OAuth1AccessToken[]; links: Record<string, string | null> }>('GET', this.tokensPath(userId), opts);
  }
  showAccessToken(userId: string, accessTokenId: string, opts: RequestOptions = {}) {
    return this.call<{ access_token: OAuth1AccessToken }>('GET', `${this.tokensPath(userId)}/${seg(accessTokenId)}`, opts);
  }
  revokeAccessToken(userId: string, accessTokenId: string, opts: RequestOptions = {}) {
    return this.call<null>('DELETE', `${this.tokensPath(userId)}/${seg(accessTokenId)}`, opts);
  }
  listAccessTokenRoles(userId: string, accessTokenId: string, opts: RequestOptions = {}) {
    return this.call<{ roles: { id: string; name: string }[]; links: Record<string, string | null> }>('GET', `${this.tokensPath(userId)}/${seg(accessTokenId)}/roles`, opts);
  }
  showAccessTokenRole(userId: string, accessTokenId: string, roleId: string, opts: RequestOptions = {}) {
    return this.call<{ role: { id: string; name: string } }>('GET', `${this.tokensPath(userId)}/${seg(accessTokenId)}/roles/${seg(roleId)}`, opts);
  }
}

/** Parses `oauth_token=..&oauth_token_secret=..[&oauth_expires_at=..]` and masks the secret from then on. */
export function parseOAuth1TokenPair(res: KsResponse<unknown>): OAuth1TokenPair {
  const text = typeof res.body === 'string' ? res.body : '';
  const p = new URLSearchParams(text);
  const key = p.get('oauth_token');
  const secret = p.get('oauth_token_secret');
  if (!key || !secret) throw new Error(`not an OAuth1 token response (HTTP ${res.status}): ${bodyForMessage(text, 200)}`);
  registerSecret(secret);
  return { key, secret, expiresAt: p.get('oauth_expires_at') ?? undefined };
}
