import type { KeystoneHttp } from '../http.js';
import { FederationProviderClient } from './federation-provider-client.js';
import type { TokenSource } from './service-client.js';

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

/** OS-FEDERATION service providers (Keystone as an identity provider for other clouds; ids are chosen by the caller: PUT). */
export class ServiceProvidersClient extends FederationProviderClient<ServiceProvider, 'service_provider', 'service_providers'> {
  constructor(http: KeystoneHttp, tokenSource: TokenSource) { super(http, tokenSource, SPS, 'service_provider'); }
}
