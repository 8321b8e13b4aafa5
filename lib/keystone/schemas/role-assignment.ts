import { bool, entity, list, nonEmpty, str } from './common.js';

const ref = entity({ id: nonEmpty, name: str, domain: { type: 'object' } }, ['id']);

const scope = entity(
  {
    project: ref,
    domain: ref,
    system: entity({ all: bool }, ['all']),
    'OS-INHERIT:inherited_to': { type: 'string', enum: ['projects'] },
  },
  [],
  { oneOf: [{ required: ['project'] }, { required: ['domain'] }, { required: ['system'] }] },
);

/** One entry of GET /v3/role_assignments: a user xor a group, one scope, and its origin link. */
export const roleAssignmentSchema = entity(
  {
    role: ref,
    user: ref,
    group: ref,
    scope,
    links: entity({ assignment: nonEmpty, membership: nonEmpty, prior_role: nonEmpty }, ['assignment']),
  },
  ['role', 'scope', 'links'],
  { oneOf: [{ required: ['user'] }, { required: ['group'] }] },
);

export const roleAssignmentsResponseSchema = list('role_assignments', roleAssignmentSchema);
