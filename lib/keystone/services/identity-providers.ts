import type { KeystoneHttp, RequestOptions } from '../http.js';
import { FederationProviderClient } from './federation-provider-client.js';
import { seg, type TokenSource } from './service-client.js';

export interface IdentityProvider {
  id: string;
  domain_id: string;
  description?: string | null;
  enabled: boolean;
  remote_ids: string[];
  authorization_ttl?: number | null;
  links: { self: string; protocols?: string };
}
export interface FederationProtocol { id: string; mapping_id: string; remote_id_attribute?: string | null; links: { self: string; identity_provider?: string } }

const IDPS = '/v3/OS-FEDERATION/identity_providers';

/** OS-FEDERATION identity providers and their protocols (ids are chosen by the caller: PUT). */
export class IdentityProvidersClient extends FederationProviderClient<IdentityProvider, 'identity_provider', 'identity_providers'> {
  constructor(http: KeystoneHttp, tokenSource: TokenSource) { super(http, tokenSource, IDPS, 'identity_provider'); }

  private protocolPath(idpId: string, protocolId: string): string { return `${this.memberPath(idpId)}/protocols/${seg(protocolId)}`; }
  addProtocol(idpId: string, protocolId: string, protocol: Record<string, unknown>, opts: RequestOptions = {}) {
    return this.call<{ protocol: FederationProtocol }>('PUT', this.protocolPath(idpId, protocolId), { ...opts, body: { protocol } });
  }
  listProtocols(idpId: string, opts: RequestOptions = {}) {
    return this.call<{ protocols: FederationProtocol[]; links: Record<string, string | null> }>('GET', `${this.memberPath(idpId)}/protocols`, opts);
  }
  showProtocol(idpId: string, protocolId: string, opts: RequestOptions = {}) {
    return this.call<{ protocol: FederationProtocol }>('GET', this.protocolPath(idpId, protocolId), opts);
  }
  updateProtocol(idpId: string, protocolId: string, patch: Record<string, unknown>, opts: RequestOptions = {}) {
    return this.call<{ protocol: FederationProtocol }>('PATCH', this.protocolPath(idpId, protocolId), { ...opts, body: { protocol: patch } });
  }
  deleteProtocol(idpId: string, protocolId: string, opts: RequestOptions = {}) {
    return this.call<null>('DELETE', this.protocolPath(idpId, protocolId), opts);
  }
}
