import type { RequestOptions } from '../http.js';
import { registerSecret } from '../mask.js';
import { ServiceClient, seg } from './service-client.js';

/** An application credential as Keystone returns it (`secret` only on create). */
export interface ApplicationCredential {
  id: string;
  name: string;
  description?: string | null;
  user_id?: string;
  project_id: string;
  roles: { id: string; name: string; domain_id?: string | null }[];
  expires_at: string | null;
  unrestricted: boolean;
  access_rules?: { id: string; path: string; method: string; service: string }[];
  secret?: string;
  links: { self: string };
}

/**
 * /v3/users/{user_id}/application_credentials. Keystone only lets a user create credentials for
 * itself, so the client is usually built on the owner's token (`admin.as(...)`).
 */
export class ApplicationCredentialsClient extends ServiceClient {
  private base(userId: string): string { return `/v3/users/${seg(userId)}/application_credentials`; }

  list(userId: string, query?: RequestOptions['query'], opts: RequestOptions = {}) {
    return this.call<{ application_credentials: ApplicationCredential[]; links: Record<string, string | null> }>('GET', this.base(userId), { ...opts, query });
  }
  show(userId: string, id: string, opts: RequestOptions = {}) {
    return this.call<{ application_credential: ApplicationCredential }>('GET', `${this.base(userId)}/${seg(id)}`, opts);
  }
  async create(userId: string, appCred: Record<string, unknown>, opts: RequestOptions = {}) {
    const res = await this.call<{ application_credential: ApplicationCredential }>('POST', this.base(userId), { ...opts, body: { application_credential: appCred } });
    // The secret is shown once; keep it out of every log and attachment from here on.
    registerSecret(res.body?.application_credential?.secret);
    return res;
  }
  delete(userId: string, id: string, opts: RequestOptions = {}) {
    return this.call<null>('DELETE', `${this.base(userId)}/${seg(id)}`, opts);
  }
}
