import type { RequestOptions } from '../http.js';
import type { ErrorBody, TokenBody } from '../types.js';
import { ServiceClient, seg } from './service-client.js';

/** An EC2 credential as /v3/users/{user_id}/credentials/OS-EC2 renders it (keystone/api/users.py). */
export interface Ec2Credential {
  access: string;
  secret: string;
  user_id: string;
  /** The project the credential authenticates to (v2 naming, kept by Keystone). */
  tenant_id: string | null;
  trust_id: string | null;
  links: { self: string };
}

/**
 * EC2 credentials of a user (OS-EC2, not in the api-ref) and the two endpoints that turn an
 * EC2/S3-signed request into a token: POST /v3/ec2tokens and POST /v3/s3tokens (what
 * keystonemiddleware's ec2_token and s3_token filters call). Build signed bodies with
 * ./ec2-signature.ts.
 */
export class Ec2CredentialsClient extends ServiceClient {
  private base(userId: string): string {
    return `/v3/users/${seg(userId)}/credentials/OS-EC2`;
  }
  list(userId: string, opts: RequestOptions = {}) {
    return this.call<{ credentials: Ec2Credential[]; links: Record<string, string | null> } & Partial<ErrorBody>>('GET', this.base(userId), opts);
  }
  /** `tenantId` is the project the credential authenticates to. */
  create(userId: string, tenantId: string, opts: RequestOptions = {}) {
    return this.call<{ credential: Ec2Credential } & Partial<ErrorBody>>('POST', this.base(userId), { ...opts, body: { tenant_id: tenantId } });
  }
  /** `access` is the credential's access key (Keystone stores it under its sha256 hash). */
  show(userId: string, access: string, opts: RequestOptions = {}) {
    return this.call<{ credential: Ec2Credential } & Partial<ErrorBody>>('GET', `${this.base(userId)}/${seg(access)}`, opts);
  }
  delete(userId: string, access: string, opts: RequestOptions = {}) {
    return this.call<null>('DELETE', `${this.base(userId)}/${seg(access)}`, opts);
  }

  /**
   * POST /v3/ec2tokens: `body` is `{ credentials: {...} }` (Keystone also accepts `credential` and
   * `ec2Credentials`). The caller is the EC2 API service: Keystone requires an admin or service
   * token (identity:ec2tokens_validate, added by the fix for Launchpad bug 2119646 that Debian ships in
   * 22.0.2-0+deb12u1), so this client's token is sent. The new token travels in X-Subject-Token.
   */
  ec2Token(body: unknown, opts: RequestOptions = {}) {
    return this.call<TokenBody & Partial<ErrorBody>>('POST', '/v3/ec2tokens', { ...opts, body });
  }
  /**
   * POST /v3/s3tokens: `body` is `{ credentials: { access, token, signature } }`. Also needs an
   * admin or service token (identity:s3tokens_validate); the answer has no X-Subject-Token.
   */
  s3Token(body: unknown, opts: RequestOptions = {}) {
    return this.call<TokenBody & Partial<ErrorBody>>('POST', '/v3/s3tokens', { ...opts, body });
  }
}
