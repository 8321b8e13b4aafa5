import type { KeystoneHttp } from '../http.js';
import { CrudClient, type TokenSource } from './service-client.js';

/** A policy blob as /v3/policies stores it (a deprecated API: Keystone keeps blobs, enforces nothing). */
export interface Policy {
  id: string;
  type: string;
  blob: string | Record<string, unknown>;
  user_id?: string | null;
  project_id?: string | null;
  links: { self: string };
  [extra: string]: unknown;
}

/** /v3/policies. */
export class PoliciesClient extends CrudClient<Policy> {
  constructor(http: KeystoneHttp, tokenSource: TokenSource) { super(http, tokenSource, '/v3/policies', 'policy', 'policies'); }
}
