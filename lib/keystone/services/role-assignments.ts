import type { RequestOptions } from '../http.js';
import type { RoleAssignment } from '../types.js';
import { ServiceClient } from './service-client.js';

/** GET /v3/role_assignments with its filters (user.id, scope.project.id, effective, include_names, ...). */
export class RoleAssignmentsClient extends ServiceClient {
  list(query: RequestOptions['query'] = {}, opts: RequestOptions = {}) {
    return this.call<{ role_assignments: RoleAssignment[] }>('GET', '/v3/role_assignments', { ...opts, query });
  }
}
