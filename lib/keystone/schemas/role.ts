import { entity, list, nonEmpty, selfLinks, single, strOrNull } from './common.js';

// domain_id is null for global roles; Keystone sends it, older samples leave it out.
export const roleSchema = entity(
  { id: nonEmpty, name: nonEmpty, domain_id: strOrNull, description: strOrNull, options: { type: 'object' }, links: selfLinks },
  ['id', 'name', 'links'],
);

export const roleResponseSchema = single('role', roleSchema);
/** Also the shape of grant listings (/v3/projects/{p}/users/{u}/roles) and system role listings. */
export const rolesResponseSchema = list('roles', roleSchema);
