import type { ClusterInfo } from '../cluster/cluster-info.js';
import { expectStatus, KeystoneHttp } from './http.js';
import { PasswordSession } from './session.js';

/** Collections a test may create entities in, and the field holding a name the suite chose. */
const NAMED_COLLECTIONS: { path: string; key: string; field: string }[] = [
  { path: '/v3/projects', key: 'projects', field: 'name' },
  { path: '/v3/users', key: 'users', field: 'name' },
  { path: '/v3/groups', key: 'groups', field: 'name' },
  { path: '/v3/roles', key: 'roles', field: 'name' },
  { path: '/v3/domains', key: 'domains', field: 'name' },
  { path: '/v3/services', key: 'services', field: 'name' },
  { path: '/v3/regions', key: 'regions', field: 'id' },
  { path: '/v3/policies', key: 'policies', field: 'type' },
];

/**
 * End-of-run leak check: lists every collection and reports entities whose name carries the
 * suite's prefix. It only reports; deleting is the factories' job (they know what they created).
 */
export async function checkLeaks(info: ClusterInfo, prefix: string): Promise<string[]> {
  const http = new KeystoneHttp(info.regions[0]!.baseUrl, 30_000);
  const session = new PasswordSession(http, info.admin);
  const leaks: string[] = [];
  for (const c of NAMED_COLLECTIONS) {
    const res = expectStatus(await http.request('GET', c.path, { token: await session.getToken() }), 200);
    for (const e of (res.body[c.key] ?? []) as Record<string, unknown>[]) {
      const name = String(e[c.field] ?? '');
      if (name.startsWith(prefix)) leaks.push(`${c.key.replace(/s$/, '')} ${name} (${String(e.id)})`);
    }
  }
  return leaks;
}
