import { bool, datetimeOrNull, entity, list, nonEmpty, selfLinks, single, strOrNull } from './common.js';

// password_expires_at is documented as always present (null when it never expires), but the
// api-ref samples omit it; typed here, required only where a test asks for it.
export const userSchema = entity(
  {
    id: nonEmpty,
    name: nonEmpty,
    domain_id: nonEmpty,
    enabled: bool,
    password_expires_at: datetimeOrNull,
    default_project_id: strOrNull,
    description: strOrNull,
    options: { type: 'object' },
    federated: { type: 'array', items: { type: 'object' } },
    links: selfLinks,
  },
  ['id', 'name', 'domain_id', 'enabled', 'links'],
);

export const userResponseSchema = single('user', userSchema);
export const usersResponseSchema = list('users', userSchema);
