import type { KeystoneHttp } from '../http.js';
import type { Role } from '../types.js';
import { CrudClient, type TokenSource } from './service-client.js';

/** /v3/roles (global and domain-specific roles). Grants live in role-grants.ts. */
export class RolesClient extends CrudClient<Role> {
  constructor(http: KeystoneHttp, tokenSource: TokenSource) { super(http, tokenSource, '/v3/roles', 'role', 'roles'); }
}
