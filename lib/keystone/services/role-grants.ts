import type { RequestOptions } from '../http.js';
import { ServiceClient, seg } from './service-client.js';

/** Where a grant applies and to whom: the path prefix of Keystone's grant routes. */
export interface GrantTarget {
  scope: 'projects' | 'domains';
  scopeId: string;
  actor: 'users' | 'groups';
  actorId: string;
  /** OS-INHERIT: inherited to the projects below the target. */
  inherited?: boolean;
}

/** Role grants on projects and domains (direct and OS-INHERIT), and system grants. */
export class RoleGrantsClient extends ServiceClient {
  private base(t: GrantTarget): string {
    const p = `/${t.scope}/${seg(t.scopeId)}/${t.actor}/${seg(t.actorId)}/roles`;
    return t.inherited ? `/v3/OS-INHERIT${p}` : `/v3${p}`;
  }
  list(t: GrantTarget, opts: RequestOptions = {}) {
    return this.call('GET', t.inherited ? `${this.base(t)}/inherited_to_projects` : this.base(t), opts);
  }
  grant(t: GrantTarget, roleId: string, opts: RequestOptions = {}) { return this.call('PUT', this.rolePath(t, roleId), opts); }
  check(t: GrantTarget, roleId: string, opts: RequestOptions = {}) { return this.call('HEAD', this.rolePath(t, roleId), opts); }
  revoke(t: GrantTarget, roleId: string, opts: RequestOptions = {}) { return this.call('DELETE', this.rolePath(t, roleId), opts); }
  private rolePath(t: GrantTarget, roleId: string): string {
    return `${this.base(t)}/${seg(roleId)}${t.inherited ? '/inherited_to_projects' : ''}`;
  }

  /** System-scoped grants: /v3/system/{users|groups}/{id}/roles[/{role_id}]. */
  listSystem(actor: 'users' | 'groups', actorId: string, opts: RequestOptions = {}) {
    return this.call('GET', `/v3/system/${actor}/${seg(actorId)}/roles`, opts);
  }
  grantSystem(actor: 'users' | 'groups', actorId: string, roleId: string, opts: RequestOptions = {}) {
    return this.call('PUT', `/v3/system/${actor}/${seg(actorId)}/roles/${seg(roleId)}`, opts);
  }
  checkSystem(actor: 'users' | 'groups', actorId: string, roleId: string, opts: RequestOptions = {}) {
    return this.call('HEAD', `/v3/system/${actor}/${seg(actorId)}/roles/${seg(roleId)}`, opts);
  }
  /** GET on one system grant: the api-ref lists it apart from HEAD; Keystone answers 204 to both. */
  getSystem(actor: 'users' | 'groups', actorId: string, roleId: string, opts: RequestOptions = {}) {
    return this.call('GET', `/v3/system/${actor}/${seg(actorId)}/roles/${seg(roleId)}`, opts);
  }
  revokeSystem(actor: 'users' | 'groups', actorId: string, roleId: string, opts: RequestOptions = {}) {
    return this.call('DELETE', `/v3/system/${actor}/${seg(actorId)}/roles/${seg(roleId)}`, opts);
  }
}
