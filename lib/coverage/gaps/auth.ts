/**
 * Justified gaps of the auth concerns: auth-tokens (and its method variants),
 * application-credentials, access-rules, os-trust, os-oauth1, os-oauth2, os-federation.
 *
 * Three lists, because the coverage report counts an operation as covered as soon as any test
 * gets a response from it (an error path included), and flags a justification of a covered
 * operation as stale:
 *  - `authGaps`: operations no conformance test sends a request to (feeds buildCoverageReport).
 *  - `authPositiveGaps`: operations the suite reaches only on their error paths, because the
 *    positive case needs something outside Keystone; for the coverage page's notes.
 *  - `authMethodGaps`: variants of POST /v3/auth/tokens (not operations of their own) left out.
 */

/** Operation id → why no test reaches it. Every row of the auth concerns is reached today. */
export const authGaps: Record<string /* operation id */, string /* reason */> = {};

const FEDERATED_IDP = 'a real SAML2/OpenID Connect IdP behind mod_shib or mod_auth_openidc';

/** Operation id → why only its error paths are exercised. */
export const authPositiveGaps: Record<string, string> = {
  'os-federation.websso.get':
    `positive case needs ${FEDERATED_IDP} to put the IdP entity id in the environment, [federation] trusted_dashboard and sso_callback_template; covered: 401 when no IdP identifies itself`,
  'os-federation.websso.post': 'same as os-federation.websso.get (POST form of WebSSO); covered: 401',
  'os-federation.websso-idp.get':
    'positive case needs [federation] trusted_dashboard (empty by default) plus an assertion; covered: 400 without ?origin, 401 for an untrusted origin',
  'os-federation.websso-idp.post': 'same as os-federation.websso-idp.get; covered: 401 for an untrusted origin',
  'os-federation.saml2.create':
    'positive case signs the assertion with xmlsec1 and [saml] certfile/keyfile/idp_entity_id; covered: 404 unknown SP, 403 disabled SP, 403 non-project-scoped token, 405 GET',
  'os-federation.saml2-ecp.create': 'same as os-federation.saml2.create (ECP envelope); covered: 404, 403, 405',
  'os-federation.metadata.get':
    'serves the file keystone-manage saml_idp_metadata writes to [saml] idp_metadata_path (needs xmlsec1 and a signing cert); without it Keystone answers 500 MetadataFileError by design; the test asserts the XML when present and records this gap otherwise',
};

/** Variant of POST /v3/auth/tokens → why it is not exercised. */
export const authMethodGaps: Record<string, string> = {
  'auth.tokens.issue#totp':
    'covered only where [auth] methods includes totp (Zed default: external,password,token,oauth1,mapped,application_credential); the test reads the enabled methods from the 401 of an unsupported method, registers a totp credential and computes RFC 6238 codes itself, else skips with this gap',
  'auth.tokens.issue#multi-factor':
    'MFA rules (options.multi_factor_auth_rules and the 401 receipt with Openstack-Auth-Receipt) need a second enabled method such as totp: not on the default deployment',
  'auth.tokens.issue#external':
    'the external method trusts REMOTE_USER set by the web server in front of Keystone; headers cannot set it (HTTP_ prefix), so it needs a deployment with web-server authentication',
  'auth.tokens.issue#federated-saml2/openid':
    `protocol ids saml2/openid need ${FEDERATED_IDP}; the mapped method is covered with an assertion carried in request headers`,
};
