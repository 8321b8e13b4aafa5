import type { KeystoneHttp, RequestOptions } from '../http.js';
import { CrudClient, seg, type TokenSource } from './service-client.js';

export interface Trust {
  id: string;
  trustor_user_id: string;
  trustee_user_id: string;
  impersonation: boolean;
  project_id: string | null;
  expires_at: string | null;
  remaining_uses: number | null;
  allow_redelegation?: boolean;
  redelegation_count?: number;
  roles?: { id: string; name: string }[];
  links: { self: string };
}

/**
 * /v3/OS-TRUST/trusts. Keystone requires the caller to be the trustor on create, so the client
 * is usually built on the trustor's token. Trusts cannot be updated.
 */
export class TrustsClient extends CrudClient<Trust> {
  constructor(http: KeystoneHttp, tokenSource: TokenSource) { super(http, tokenSource, '/v3/OS-TRUST/trusts', 'trust', 'trusts'); }

  listRoles(trustId: string, opts: RequestOptions = {}) {
    return this.call<{ roles: { id: string; name: string }[]; links: Record<string, string | null> }>('GET', `/v3/OS-TRUST/trusts/${seg(trustId)}/roles`, opts);
  }
  checkRole(trustId: string, roleId: string, opts: RequestOptions = {}) {
    return this.call<null>('HEAD', `/v3/OS-TRUST/trusts/${seg(trustId)}/roles/${seg(roleId)}`, opts);
  }
  showRole(trustId: string, roleId: string, opts: RequestOptions = {}) {
    return this.call<{ role: { id: string; name: string } }>('GET', `/v3/OS-TRUST/trusts/${seg(trustId)}/roles/${seg(roleId)}`, opts);
  }
}
