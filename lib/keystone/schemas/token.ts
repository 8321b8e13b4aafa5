import { bool, datetime, datetimeOrNull, entity, idName, int, nonEmpty, selfLinks, single, str, strOrNull } from './common.js';
import { endpointInterface } from './endpoint.js';

const domainRef = idName;

const tokenUser = entity(
  { id: nonEmpty, name: str, domain: domainRef, password_expires_at: datetimeOrNull, 'OS-FEDERATION': { type: 'object' } },
  ['id', 'name', 'domain'],
);

const catalogEndpoint = entity(
  { id: nonEmpty, interface: endpointInterface, url: nonEmpty, region: strOrNull, region_id: strOrNull },
  ['id', 'interface', 'url'],
);

export const catalogEntrySchema = entity(
  { id: nonEmpty, type: nonEmpty, name: str, endpoints: { type: 'array', items: catalogEndpoint } },
  ['id', 'type', 'endpoints'],
);
export const catalogSchema = { type: 'array', items: catalogEntrySchema } as const;

const scopes = ['project', 'domain', 'system'] as const;

/**
 * The token body of POST/GET /v3/auth/tokens. At most one scope (the api-ref: "You cannot scope a
 * token to multiple scope targets"); a scoped token always carries its roles.
 */
export const tokenSchema = entity(
  {
    methods: { type: 'array', items: nonEmpty, minItems: 1 },
    user: tokenUser,
    expires_at: datetime,
    issued_at: datetime,
    // [own audit id] or [own, the chain's first] after a rescope.
    audit_ids: { type: 'array', items: nonEmpty, minItems: 1, maxItems: 2 },
    project: entity({ id: nonEmpty, name: str, domain: domainRef }, ['id', 'name', 'domain']),
    domain: domainRef,
    system: entity({ all: bool }, ['all']),
    roles: { type: 'array', items: entity({ id: nonEmpty, name: str, domain_id: strOrNull }, ['id', 'name']) },
    catalog: catalogSchema,
    is_domain: bool,
    is_admin_project: bool,
    application_credential: entity({ id: nonEmpty, name: str, restricted: bool }, ['id']),
    'OS-TRUST:trust': entity(
      { id: nonEmpty, impersonation: bool, trustee_user: { type: 'object' }, trustor_user: { type: 'object' } },
      ['id', 'impersonation'],
    ),
    'OS-OAUTH1': { type: 'object' },
  },
  ['methods', 'user', 'expires_at', 'issued_at', 'audit_ids'],
  {
    not: { anyOf: scopes.flatMap((a, i) => scopes.slice(i + 1).map((b) => ({ required: [a, b] }))) },
    dependencies: { project: ['roles'], domain: ['roles'], system: ['roles'] },
  },
);

export const tokenResponseSchema = single('token', tokenSchema);

/** GET /v3/auth/catalog */
export const authCatalogResponseSchema = entity({ catalog: catalogSchema, links: selfLinks }, ['catalog', 'links']);

/** GET /v3/auth/system: `[{all: true}]` or `[]`. */
export const authSystemResponseSchema = entity(
  { system: { type: 'array', items: entity({ all: bool }, ['all']), maxItems: 1 }, links: selfLinks },
  ['system', 'links'],
);

/** POST /v3/OS-OAUTH2/token (client_credentials grant). */
export const oauth2TokenResponseSchema = entity(
  { access_token: nonEmpty, token_type: { type: 'string', enum: ['Bearer'] }, expires_in: int },
  ['access_token', 'token_type', 'expires_in'],
);
