import type { RequestOptions } from '../http.js';
import { ServiceClient } from './service-client.js';

export interface RevokeEvent {
  issued_before: string;
  user_id?: string;
  project_id?: string;
  audit_id?: string;
  audit_chain_id?: string;
  [criterion: string]: unknown;
}

/** GET /v3/OS-REVOKE/events: revocation events, optionally only those since an ISO 8601 time. */
export class RevokeEventsClient extends ServiceClient {
  list(since?: string, opts: RequestOptions = {}) {
    return this.call<{ events: RevokeEvent[]; links: Record<string, string | null> }>('GET', '/v3/OS-REVOKE/events', { ...opts, query: { ...opts.query, since } });
  }
}
