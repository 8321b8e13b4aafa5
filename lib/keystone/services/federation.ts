import type { RequestOptions } from '../http.js';
import type { ErrorBody, TokenBody } from '../types.js';
import { ServiceClient, seg } from './service-client.js';

/**
 * The authentication side of OS-FEDERATION: federated token issue, WebSSO, SAML2/ECP assertions
 * for a service provider, IdP metadata, and the deprecated project/domain scope listings.
 * CRUD of identity providers, mappings and service providers lives in their own clients.
 */
export class FederationClient extends ServiceClient {
  /**
   * GET (or POST) .../identity_providers/{idp}/protocols/{protocol}/auth. The assertion comes from
   * the WSGI environment a web-server module sets; `headers` carry whatever reaches it as HTTP_*.
   */
  authenticate(idpId: string, protocolId: string, opts: RequestOptions & { method?: 'GET' | 'POST' } = {}) {
    const { method = 'GET', ...rest } = opts;
    return this.call<TokenBody & Partial<ErrorBody>>(method, `/v3/OS-FEDERATION/identity_providers/${seg(idpId)}/protocols/${seg(protocolId)}/auth`, { token: null, ...rest });
  }
  websso(protocolId: string, origin?: string, opts: RequestOptions & { method?: 'GET' | 'POST' } = {}) {
    const { method = 'GET', ...rest } = opts;
    return this.call(method, `/v3/auth/OS-FEDERATION/websso/${seg(protocolId)}`, { token: null, ...rest, query: { ...rest.query, origin } });
  }
  /** Keystone routes `.../protocols/{protocol_id}/websso` (the api-ref writes `.../protocol/...`). */
  ssoForIdp(idpId: string, protocolId: string, origin?: string, opts: RequestOptions & { method?: 'GET' | 'POST' } = {}) {
    const { method = 'GET', ...rest } = opts;
    return this.call(method, `/v3/auth/OS-FEDERATION/identity_providers/${seg(idpId)}/protocols/${seg(protocolId)}/websso`, { token: null, ...rest, query: { ...rest.query, origin } });
  }
  /** POST /v3/auth/OS-FEDERATION/saml2 (or .../saml2/ecp): a token exchanged for a SAML assertion. */
  saml2(tokenId: string, serviceProviderId: string, opts: RequestOptions & { ecp?: boolean } = {}) {
    const { ecp, ...rest } = opts;
    return this.call('POST', `/v3/auth/OS-FEDERATION/saml2${ecp ? '/ecp' : ''}`, {
      body: { auth: { identity: { methods: ['token'], token: { id: tokenId } }, scope: { service_provider: { id: serviceProviderId } } } },
      ...rest,
    });
  }
  metadata(opts: RequestOptions = {}) { return this.call<string>('GET', '/v3/OS-FEDERATION/saml2/metadata', { token: null, ...opts }); }
  projects(opts: RequestOptions = {}) { return this.call('GET', '/v3/OS-FEDERATION/projects', opts); }
  domains(opts: RequestOptions = {}) { return this.call('GET', '/v3/OS-FEDERATION/domains', opts); }
}
