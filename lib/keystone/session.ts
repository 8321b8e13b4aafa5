import { passwordAuthBody, type PasswordCredentials } from './credentials.js';
import { expectStatus, type KeystoneHttp } from './http.js';
import { registerSecret } from './mask.js';
import { subjectToken, TokensClient } from './services/tokens.js';
import type { TokenBody } from './types.js';

/**
 * A token cache for one identity: authenticates once and re-authenticates shortly before expiry,
 * so a suite spends Keystone's few requests per second on the operations under test.
 */
export class PasswordSession {
  private token?: string;
  private body?: TokenBody;
  private expiresAt = 0;
  private inflight?: Promise<string>;

  constructor(private readonly http: KeystoneHttp, readonly credentials: PasswordCredentials) {
    registerSecret(credentials.password);
  }

  async getToken(): Promise<string> {
    if (this.token && Date.now() < this.expiresAt - 60_000) return this.token;
    this.inflight ??= this.authenticate().finally(() => { this.inflight = undefined; });
    return this.inflight;
  }

  /** The body of the current token (roles, scope, catalog). */
  async tokenBody(): Promise<TokenBody> {
    await this.getToken();
    return this.body!;
  }

  invalidate(): void { this.token = undefined; }

  private async authenticate(): Promise<string> {
    const tokens = new TokensClient(this.http, async () => null);
    const res = expectStatus(await tokens.issue(passwordAuthBody(this.credentials)), 201);
    this.token = subjectToken(res);
    this.body = res.body;
    this.expiresAt = Date.parse(res.body.token.expires_at);
    return this.token;
  }
}
