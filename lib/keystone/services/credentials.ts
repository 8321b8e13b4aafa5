import type { KeystoneHttp } from '../http.js';
import type { Credential } from '../types.js';
import { CrudClient, type TokenSource } from './service-client.js';

/** /v3/credentials: opaque per-user secrets (ec2, totp, cert, ...); `blob` is a JSON string. */
export class CredentialsClient extends CrudClient<Credential> {
  constructor(http: KeystoneHttp, tokenSource: TokenSource) { super(http, tokenSource, '/v3/credentials', 'credential', 'credentials'); }
}
