import type { RequestOptions } from '../http.js';
import { ServiceClient, seg } from './service-client.js';

/** Role inference rules: /v3/roles/{prior_role_id}/implies[/{implies_role_id}] and /v3/role_inferences. */
export class ImpliedRolesClient extends ServiceClient {
  private path(priorRoleId: string, impliedRoleId?: string): string {
    const p = `/v3/roles/${seg(priorRoleId)}/implies`;
    return impliedRoleId === undefined ? p : `${p}/${seg(impliedRoleId)}`;
  }
  list(priorRoleId: string, opts: RequestOptions = {}) { return this.call('GET', this.path(priorRoleId), opts); }
  /** PUT without a body: 201 with the rule. */
  create(priorRoleId: string, impliedRoleId: string, opts: RequestOptions = {}) { return this.call('PUT', this.path(priorRoleId, impliedRoleId), opts); }
  get(priorRoleId: string, impliedRoleId: string, opts: RequestOptions = {}) { return this.call('GET', this.path(priorRoleId, impliedRoleId), opts); }
  /** HEAD: 204 (Keystone documents and keeps 204 here, not 200). */
  check(priorRoleId: string, impliedRoleId: string, opts: RequestOptions = {}) { return this.call<null>('HEAD', this.path(priorRoleId, impliedRoleId), opts); }
  delete(priorRoleId: string, impliedRoleId: string, opts: RequestOptions = {}) { return this.call<null>('DELETE', this.path(priorRoleId, impliedRoleId), opts); }
  listAll(opts: RequestOptions = {}) { return this.call('GET', '/v3/role_inferences', opts); }
}
