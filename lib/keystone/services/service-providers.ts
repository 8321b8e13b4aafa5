import type { RequestOptions } from '../http.js';
import { ServiceClient, seg } from './service-client.js';

export interface ServiceProvider {
  id: string;
  auth_url: string;
  sp_url: string;
  enabled: boolean;
  description?: string | null;
  relay_state_prefix: string;
  links: { self: string };
}

const SPS = '/v3/OS-FEDERATION/service_providers';

/** OS-FEDERATION service providers (Keystone as an identity provider for other clouds). */
export class ServiceProvidersClient extends ServiceClient {
  register(spId: string, sp: Record<string, unknown>, opts: RequestOptions = {}) {
    return this.call<{ service_provider: ServiceProvider }>('PUT', `${SPS}/${seg(spId)}`, { ...opts, body: { service_provider: sp } });
  }
  list(query?: RequestOptions['query'], opts: RequestOptions = {}) {
    return this.call<{ service_providers: ServiceProvider[]; links: Record<string, string | null> }>('GET', SPS, { ...opts, query });
  }
  show(spId: string, opts: RequestOptions = {}) {
    return this.call<{ service_provider: ServiceProvider }>('GET', `${SPS}/${seg(spId)}`, opts);
  }
  update(spId: string, patch: Record<string, unknown>, opts: RequestOptions = {}) {
    return this.call<{ service_provider: ServiceProvider }>('PATCH', `${SPS}/${seg(spId)}`, { ...opts, body: { service_provider: patch } });
  }
  delete(spId: string, opts: RequestOptions = {}) {
    return this.call<null>('DELETE', `${SPS}/${seg(spId)}`, opts);
  }
}
