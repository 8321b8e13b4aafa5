import { bool, datetimeOrNull, entity, list, nonEmpty, selfLinks, single, str, strOrNull } from './common.js';

const roleRef = entity({ id: nonEmpty, name: str, domain_id: strOrNull }, ['id', 'name']);

const accessRule = entity({ id: nonEmpty, path: nonEmpty, method: nonEmpty, service: nonEmpty }, ['path', 'method', 'service']);

export const applicationCredentialSchema = entity(
  {
    id: nonEmpty,
    name: nonEmpty,
    description: strOrNull,
    project_id: nonEmpty,
    user_id: nonEmpty,
    roles: { type: 'array', items: roleRef },
    expires_at: datetimeOrNull,
    unrestricted: bool,
    access_rules: { type: 'array', items: accessRule },
    links: selfLinks,
  },
  ['id', 'name', 'project_id', 'roles', 'expires_at', 'unrestricted', 'links'],
);

// The secret comes back once, on create.
export const applicationCredentialCreatedSchema = {
  allOf: [applicationCredentialSchema, entity({ secret: nonEmpty }, ['secret'])],
} as const;

export const applicationCredentialResponseSchema = single('application_credential', applicationCredentialSchema);
export const applicationCredentialCreatedResponseSchema = single('application_credential', applicationCredentialCreatedSchema);
export const applicationCredentialsResponseSchema = list('application_credentials', applicationCredentialSchema);
