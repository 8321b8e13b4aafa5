import type { KeystoneHttp, RequestOptions } from '../http.js';
import { CrudClient, type TokenSource } from './service-client.js';

export interface RegisteredLimit {
  id: string;
  service_id: string;
  resource_name: string;
  default_limit: number;
  region_id: string | null;
  description: string | null;
  links: { self: string };
}

/**
 * /v3/registered_limits: default limits per service (and region) and resource name, unique on
 * that triple. Creation is a batch: POST {registered_limits: [...]}.
 */
export class RegisteredLimitsClient extends CrudClient<RegisteredLimit> {
  constructor(http: KeystoneHttp, tokenSource: TokenSource) { super(http, tokenSource, '/v3/registered_limits', 'registered_limit', 'registered_limits'); }
  createBatch(registeredLimits: Record<string, unknown>[], opts: RequestOptions = {}) {
    return this.call<{ registered_limits: RegisteredLimit[] }>('POST', '/v3/registered_limits', { ...opts, body: { registered_limits: registeredLimits } });
  }
}
