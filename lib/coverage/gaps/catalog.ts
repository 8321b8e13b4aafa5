/**
 * Catalog-side operations (services, endpoints, regions, credentials, policies, endpoint policy,
 * endpoint filter, limits, revocation events, OS-SIMPLE-CERT, OS-PKI) for which no positive
 * (2xx) case can exist against Keystone Zed, and why. Their specs still send the request and
 * assert what Zed answers (suites/conformance/<concern>.spec.ts), so a coverage report counts
 * them as exercised; these reasons explain the missing 2xx.
 */
export const catalogGaps: Record<string /* operation id */, string /* reason */> = {
  'endpoint-policy.policy.get':
    'documented by the api-ref but not routed by Keystone (keystone/api/policy.py maps only .../endpoints, .../services and ' +
    '.../services/{service_id}/regions/{region_id} under OS-ENDPOINT-POLICY): Zed answers 404; the effective policy of an ' +
    'endpoint is GET /v3/endpoints/{endpoint_id}/OS-ENDPOINT-POLICY/policy (covered). Asserted in endpoint-policy.spec.ts.',
  'endpoint-policy.policy.check':
    'HEAD of the same unrouted URL as endpoint-policy.policy.get: Zed answers 404. Asserted in endpoint-policy.spec.ts.',
  'os-simple-cert.ca.get':
    'PKI tokens were removed (Pike): keystone/api/os_simple_cert.py SimpleCertCAResource is @unenforced_api and always raises ' +
    'Gone, so every caller (admin, member, no token) gets 410; no configuration serves the CA any more. Asserted in os-simple-cert.spec.ts.',
  'os-simple-cert.certificates.get':
    'PKI tokens were removed (Pike): SimpleCertListResource always raises Gone (410) for every caller. Asserted in os-simple-cert.spec.ts.',
  'os-pki.revoked.list':
    'PKI tokens were removed: keystone/api/auth.py AuthTokenOSPKIResource is @unenforced_api and answers 410 Gone when ' +
    '[token] revoke_by_id = false, else 403 Forbidden (Keystone stores no token list to return). Asserted in os-pki.spec.ts.',
};
