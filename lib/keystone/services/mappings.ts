import type { RequestOptions } from '../http.js';
import { ServiceClient, seg } from './service-client.js';

export interface MappingRule { local: Record<string, unknown>[]; remote: Record<string, unknown>[] }
export interface Mapping { id: string; rules: MappingRule[]; schema_version?: string; links: { self: string } }

const MAPPINGS = '/v3/OS-FEDERATION/mappings';

/** OS-FEDERATION mappings (rule sets that turn an assertion into a local identity). */
export class MappingsClient extends ServiceClient {
  create(mappingId: string, mapping: Record<string, unknown>, opts: RequestOptions = {}) {
    return this.call<{ mapping: Mapping }>('PUT', `${MAPPINGS}/${seg(mappingId)}`, { ...opts, body: { mapping } });
  }
  list(opts: RequestOptions = {}) {
    return this.call<{ mappings: Mapping[]; links: Record<string, string | null> }>('GET', MAPPINGS, opts);
  }
  show(mappingId: string, opts: RequestOptions = {}) {
    return this.call<{ mapping: Mapping }>('GET', `${MAPPINGS}/${seg(mappingId)}`, opts);
  }
  update(mappingId: string, mapping: Record<string, unknown>, opts: RequestOptions = {}) {
    return this.call<{ mapping: Mapping }>('PATCH', `${MAPPINGS}/${seg(mappingId)}`, { ...opts, body: { mapping } });
  }
  delete(mappingId: string, opts: RequestOptions = {}) {
    return this.call<null>('DELETE', `${MAPPINGS}/${seg(mappingId)}`, opts);
  }
}
