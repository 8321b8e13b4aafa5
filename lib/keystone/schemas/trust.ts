import { bool, collectionLinks, datetimeOrNull, entity, list, nonEmpty, selfLinks, single, str, strOrNull } from './common.js';

const trustRole = entity({ id: nonEmpty, name: str, domain_id: strOrNull, links: selfLinks }, ['id']);

export const trustSchema = entity(
  {
    id: nonEmpty,
    trustor_user_id: nonEmpty,
    trustee_user_id: nonEmpty,
    impersonation: bool,
    project_id: strOrNull,
    expires_at: datetimeOrNull,
    remaining_uses: { type: ['integer', 'null'] },
    allow_redelegation: bool,
    redelegation_count: { type: 'integer', minimum: 0 },
    redelegated_trust_id: strOrNull,
    roles: { type: 'array', items: trustRole },
    roles_links: collectionLinks,
    links: selfLinks,
  },
  ['id', 'trustor_user_id', 'trustee_user_id', 'impersonation', 'links'],
);

export const trustResponseSchema = single('trust', trustSchema);
export const trustsResponseSchema = list('trusts', trustSchema);
/** GET /v3/OS-TRUST/trusts/{trust_id}/roles and .../roles/{role_id} */
export const trustRolesResponseSchema = list('roles', trustRole);
export const trustRoleResponseSchema = single('role', trustRole);
