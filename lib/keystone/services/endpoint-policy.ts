import type { HttpMethod, RequestOptions } from '../http.js';
import { ServiceClient, seg } from './service-client.js';

/** What a policy is associated with: one endpoint, every endpoint of a service, or a service in one region. */
export type PolicyTarget =
  | { endpointId: string }
  | { serviceId: string; regionId?: string };

/**
 * OS-ENDPOINT-POLICY (keystone/api/policy.py and endpoints.py): associations of a policy blob
 * with endpoints, services and service+region, and the effective policy of an endpoint.
 * Associate answers 204, verify 204 (or 404), delete 204.
 */
export class EndpointPolicyClient extends ServiceClient {
  private assocPath(policyId: string, t: PolicyTarget): string {
    const base = `/v3/policies/${seg(policyId)}/OS-ENDPOINT-POLICY`;
    if ('endpointId' in t) return `${base}/endpoints/${seg(t.endpointId)}`;
    return t.regionId === undefined ? `${base}/services/${seg(t.serviceId)}` : `${base}/services/${seg(t.serviceId)}/regions/${seg(t.regionId)}`;
  }
  associate(policyId: string, t: PolicyTarget, opts: RequestOptions = {}) { return this.call<null>('PUT', this.assocPath(policyId, t), opts); }
  verify(policyId: string, t: PolicyTarget, opts: RequestOptions = {}) { return this.call<null>('GET', this.assocPath(policyId, t), opts); }
  /** HEAD on a verify route (werkzeug answers HEAD for every GET rule). */
  check(policyId: string, t: PolicyTarget, opts: RequestOptions = {}) { return this.call<null>('HEAD', this.assocPath(policyId, t), opts); }
  dissociate(policyId: string, t: PolicyTarget, opts: RequestOptions = {}) { return this.call<null>('DELETE', this.assocPath(policyId, t), opts); }

  /** GET /v3/policies/{policy_id}/OS-ENDPOINT-POLICY/endpoints: every endpoint the policy reaches. */
  listEndpoints(policyId: string, opts: RequestOptions = {}) {
    return this.call('GET', `/v3/policies/${seg(policyId)}/OS-ENDPOINT-POLICY/endpoints`, opts);
  }
  /** GET /v3/endpoints/{endpoint_id}/OS-ENDPOINT-POLICY/policy: the policy in effect for an endpoint. */
  effectivePolicy(endpointId: string, opts: RequestOptions = {}) {
    return this.call('GET', `/v3/endpoints/${seg(endpointId)}/OS-ENDPOINT-POLICY/policy`, opts);
  }
  /**
   * The api-ref's GET/HEAD /v3/policies/{policy_id}/OS-ENDPOINT-POLICY/policy, which Keystone
   * does not route; kept so a test can show what Keystone answers there.
   */
  documentedPolicyRoute(method: Extract<HttpMethod, 'GET' | 'HEAD'>, policyId: string, opts: RequestOptions = {}) {
    return this.call(method, `/v3/policies/${seg(policyId)}/OS-ENDPOINT-POLICY/policy`, opts);
  }
}
