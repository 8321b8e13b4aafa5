import type { RequestOptions } from '../http.js';
import { ServiceClient, seg } from './service-client.js';

export interface AccessRule { id: string; path: string; method: string; service: string; links?: { self: string } }

/** /v3/users/{user_id}/access_rules: rules are created through application credentials only. */
export class AccessRulesClient extends ServiceClient {
  private base(userId: string): string { return `/v3/users/${seg(userId)}/access_rules`; }

  list(userId: string, query?: RequestOptions['query'], opts: RequestOptions = {}) {
    return this.call<{ access_rules: AccessRule[]; links: Record<string, string | null> }>('GET', this.base(userId), { ...opts, query });
  }
  show(userId: string, id: string, opts: RequestOptions = {}) {
    return this.call<{ access_rule: AccessRule }>('GET', `${this.base(userId)}/${seg(id)}`, opts);
  }
  delete(userId: string, id: string, opts: RequestOptions = {}) {
    return this.call<null>('DELETE', `${this.base(userId)}/${seg(id)}`, opts);
  }
}
