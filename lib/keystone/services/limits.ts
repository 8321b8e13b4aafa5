import type { KeystoneHttp, RequestOptions } from '../http.js';
import { CrudClient, type TokenSource } from './service-client.js';

/** A project limit (project_id set) or, since Rocky, a domain limit (domain_id set). */
export interface Limit {
  id: string;
  service_id: string;
  resource_name: string;
  resource_limit: number;
  project_id: string | null;
  domain_id: string | null;
  region_id: string | null;
  description: string | null;
  links: { self: string };
}

/**
 * /v3/limits (unified limits). Creation is a batch: POST {limits: [...]} answers 201 with every
 * created limit. Every limit must override a registered limit of the same service, region and
 * resource name.
 */
export class LimitsClient extends CrudClient<Limit> {
  constructor(http: KeystoneHttp, tokenSource: TokenSource) { super(http, tokenSource, '/v3/limits', 'limit', 'limits'); }
  createBatch(limits: Record<string, unknown>[], opts: RequestOptions = {}) {
    return this.call<{ limits: Limit[] }>('POST', '/v3/limits', { ...opts, body: { limits } });
  }
  /** GET /v3/limits/model: the enforcement model (flat or strict_two_level). */
  model(opts: RequestOptions = {}) {
    return this.call<{ model: { name: string; description: string } }>('GET', '/v3/limits/model', opts);
  }
}
