import type { RequestOptions } from '../http.js';
import { expectStatus } from '../http.js';
import type { ErrorBody, TokenBody } from '../types.js';
import { ServiceClient } from './service-client.js';

/** /v3/auth: issue, validate, check and revoke tokens; scoped catalogs and targets. */
export class TokensClient extends ServiceClient {
  /** POST /v3/auth/tokens with any auth body (password, token, application credential, ...). No token header. */
  issue(authBody: unknown, opts: RequestOptions & { nocatalog?: boolean } = {}) {
    return this.call<TokenBody & Partial<ErrorBody>>('POST', '/v3/auth/tokens', {
      ...opts, token: null, body: authBody, query: { ...opts.query, ...(opts.nocatalog ? { nocatalog: 1 } : {}) },
    });
  }
  validate(subjectToken: string, opts: RequestOptions & { allowExpired?: boolean; nocatalog?: boolean } = {}) {
    return this.call<TokenBody & Partial<ErrorBody>>('GET', '/v3/auth/tokens', {
      ...opts,
      headers: { ...opts.headers, 'x-subject-token': subjectToken },
      query: { ...opts.query, ...(opts.allowExpired ? { allow_expired: 1 } : {}), ...(opts.nocatalog ? { nocatalog: 1 } : {}) },
    });
  }
  check(subjectToken: string, opts: RequestOptions = {}) {
    return this.call<null>('HEAD', '/v3/auth/tokens', { ...opts, headers: { ...opts.headers, 'x-subject-token': subjectToken } });
  }
  revoke(subjectToken: string, opts: RequestOptions = {}) {
    return this.call<null>('DELETE', '/v3/auth/tokens', { ...opts, headers: { ...opts.headers, 'x-subject-token': subjectToken } });
  }
  catalog(opts: RequestOptions = {}) { return this.call('GET', '/v3/auth/catalog', opts); }
  projects(opts: RequestOptions = {}) { return this.call('GET', '/v3/auth/projects', opts); }
  domains(opts: RequestOptions = {}) { return this.call('GET', '/v3/auth/domains', opts); }
  system(opts: RequestOptions = {}) { return this.call('GET', '/v3/auth/system', opts); }
}

/** The token id of an issue response (Keystone returns it in X-Subject-Token, not the body). */
export function subjectToken(res: { headers: Record<string, string> }): string {
  const t = res.headers['x-subject-token'];
  if (!t) throw new Error('token response carries no X-Subject-Token header');
  return t;
}

/** The id and body of a token the test needs as a precondition (throws, masked, unless 201). */
export async function issuedToken(tokens: TokensClient, authBody: unknown, opts: RequestOptions & { nocatalog?: boolean } = {}): Promise<{ id: string; token: TokenBody['token'] }> {
  const res = expectStatus(await tokens.issue(authBody, { nocatalog: true, ...opts }), 201);
  return { id: subjectToken(res), token: res.body.token };
}
