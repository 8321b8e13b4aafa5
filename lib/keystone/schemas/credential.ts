import { entity, list, nonEmpty, selfLinks, single, str, strOrNull } from './common.js';

// blob is a JSON-serialised string, not an object (for ec2: {"access", "secret"}).
export const credentialSchema = entity(
  { id: nonEmpty, type: nonEmpty, blob: str, user_id: nonEmpty, project_id: strOrNull, links: selfLinks },
  ['id', 'type', 'blob', 'user_id', 'links'],
);

export const credentialResponseSchema = single('credential', credentialSchema);
export const credentialsResponseSchema = list('credentials', credentialSchema);

/** /v3/users/{user_id}/credentials/OS-EC2 entries (not in the api-ref; keystone/api/users.py). */
export const ec2CredentialSchema = entity(
  { access: nonEmpty, secret: nonEmpty, user_id: nonEmpty, tenant_id: strOrNull, trust_id: strOrNull, links: selfLinks },
  ['access', 'secret', 'user_id', 'tenant_id', 'links'],
);
export const ec2CredentialResponseSchema = single('credential', ec2CredentialSchema);
export const ec2CredentialsResponseSchema = list('credentials', ec2CredentialSchema);
