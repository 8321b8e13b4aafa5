import type { KeystoneHttp, RequestOptions } from '../http.js';
import type { User } from '../types.js';
import { CrudClient, seg, type TokenSource } from './service-client.js';

/** /v3/users, a user's groups and projects, and self-service password change. */
export class UsersClient extends CrudClient<User> {
  constructor(http: KeystoneHttp, tokenSource: TokenSource) { super(http, tokenSource, '/v3/users', 'user', 'users'); }
  groups(userId: string, opts: RequestOptions = {}) { return this.call('GET', `/v3/users/${seg(userId)}/groups`, opts); }
  projects(userId: string, opts: RequestOptions = {}) { return this.call('GET', `/v3/users/${seg(userId)}/projects`, opts); }
  changePassword(userId: string, originalPassword: string, password: string, opts: RequestOptions = {}) {
    return this.call('POST', `/v3/users/${seg(userId)}/password`, {
      ...opts, body: { user: { original_password: originalPassword, password } },
    });
  }
}
