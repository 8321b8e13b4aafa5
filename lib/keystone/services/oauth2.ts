import type { RequestOptions } from '../http.js';
import { ServiceClient } from './service-client.js';

/** RFC 6749 token response, or its error (`error` is a code string, not Keystone's error object). */
export interface OAuth2TokenResponse {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
}

/**
 * POST /v3/OS-OAUTH2/token: the client_credentials grant, an application credential's id and
 * secret as the HTTP Basic client credentials (keystone/api/os_oauth2.py, Zed).
 */
export class OAuth2Client extends ServiceClient {
  token(clientId: string, clientSecret: string, opts: RequestOptions & { form?: string } = {}) {
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
    return this.tokenRaw({ ...opts, headers: { authorization: `Basic ${basic}`, ...opts.headers } });
  }
  /** The same request with the caller's own headers/body (missing or odd Authorization, other grants). */
  tokenRaw(opts: RequestOptions & { form?: string } = {}) {
    const { form, ...rest } = opts;
    return this.call<OAuth2TokenResponse>('POST', '/v3/OS-OAUTH2/token', {
      token: null,
      rawBody: form ?? 'grant_type=client_credentials',
      ...rest,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...rest.headers },
    });
  }
}
