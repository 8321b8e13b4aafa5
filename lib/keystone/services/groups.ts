import type { KeystoneHttp, RequestOptions } from '../http.js';
import type { Group } from '../types.js';
import { CrudClient, seg, type TokenSource } from './service-client.js';

/** /v3/groups and group membership. */
export class GroupsClient extends CrudClient<Group> {
  constructor(http: KeystoneHttp, tokenSource: TokenSource) { super(http, tokenSource, '/v3/groups', 'group', 'groups'); }
  listUsers(groupId: string, opts: RequestOptions = {}) { return this.call('GET', `/v3/groups/${seg(groupId)}/users`, opts); }
  addUser(groupId: string, userId: string, opts: RequestOptions = {}) { return this.call('PUT', `/v3/groups/${seg(groupId)}/users/${seg(userId)}`, opts); }
  checkUser(groupId: string, userId: string, opts: RequestOptions = {}) { return this.call('HEAD', `/v3/groups/${seg(groupId)}/users/${seg(userId)}`, opts); }
  removeUser(groupId: string, userId: string, opts: RequestOptions = {}) { return this.call('DELETE', `/v3/groups/${seg(groupId)}/users/${seg(userId)}`, opts); }
}
