import type { Keystone } from './client.js';
import { expectStatus } from './http.js';

/**
 * The id of a global role that `keystone-manage bootstrap` creates. Tests grant it rather than
 * a role of their own when the role's name matters to Keystone's default policies.
 */
export async function bootstrapRoleId(ks: Keystone, name: 'admin' | 'member' | 'reader'): Promise<string> {
  const role = ks.roles.entities(expectStatus(await ks.roles.list({ name }), 200)).find((r) => !r.domain_id);
  if (!role) throw new Error(`Keystone has no global '${name}' role (keystone-manage bootstrap creates it)`);
  return role.id;
}
