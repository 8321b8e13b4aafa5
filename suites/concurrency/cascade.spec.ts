import type { TestInfo } from '@playwright/test';
import * as allure from 'allure-js-commons';
import { test } from '../../fixtures/test.js';
import { NOT_MEASURED, deferSweep, judgeConflicts } from '../../fixtures/concurrency.js';
import type { ClusterInfo } from '../../lib/cluster/cluster-info.js';
import type { Keystone } from '../../lib/keystone/client.js';
import type { ResourceFactory } from '../../lib/keystone/factory.js';
import { expectStatus, type KsResponse } from '../../lib/keystone/http.js';
import type { GrantTarget } from '../../lib/keystone/services/role-grants.js';
import type { Credential, RoleAssignment } from '../../lib/keystone/types.js';
import { checkCascade } from '../../lib/workload/checkers/index.js';
import { probeConflicts } from '../../lib/workload/conflict-probe.js';
import type { Op } from '../../lib/workload/driver.js';
import { History } from '../../lib/workload/history.js';
import { call, conflictWrites, insertAt, mayRefuse, mustAck, range, recordRead, shuffled } from '../../lib/workload/keystone-ops.js';
import { testId } from '../../lib/coverage/test-ids.js';

const GRANT = 'PUT /v3/projects/{project_id}/users/{user_id}/roles/{role_id}';
const REVOKE = 'DELETE /v3/projects/{project_id}/users/{user_id}/roles/{role_id}';
const ASSIGNMENTS = 'GET /v3/role_assignments';

const labelOf = (c: Credential) => {
  try { return String((JSON.parse(c.blob) as { label?: unknown }).label); } catch { return '?'; }
};

/** Role assignments flattened the way checkCascade reads children: { project, user, role }. */
const children = (r: KsResponse<{ role_assignments: RoleAssignment[] }>) =>
  r.body.role_assignments.map((a) => ({ project: a.scope.project?.id, user: a.user?.id, role: a.role.id }));

/**
 * Users and a project in a domain of their own: deleting the domain at cleanup deletes the users,
 * and with them every assignment a racing write may have left behind. One by one: concurrent
 * setup would hit the conflicts under test before the storm.
 */
async function world(admin: Keystone, factory: ResourceFactory, users: number) {
  const domain = await factory.domain();
  const role = await factory.role();
  const project = expectStatus(await admin.projects.create({ name: factory.name('cascade'), domain_id: domain.id }), 201).body.project.id as string;
  const ids: string[] = [];
  for (const i of range(users)) ids.push(expectStatus(await admin.users.create({ name: `${factory.name('c')}-${i}`, domain_id: domain.id }), 201).body.user.id);
  const target = (user: string): GrantTarget => ({ scope: 'projects', scopeId: project, actor: 'users', actorId: user });
  return { domain: domain.id, role: role.id, project, users: ids, target };
}

/**
 * A project or a role deleted while assignments under it are granted and revoked and it is
 * patched; then no assignment may survive it. Keystone deletes a role's assignments and then
 * the role in two transactions, and a project's likewise, so a grant can slip in between.
 */
async function assignmentParentDeleteStorm(
  { admin, factory, cluster }: { admin: Keystone; factory: ResourceFactory; cluster: ClusterInfo },
  testInfo: TestInfo, kind: 'project' | 'role',
): Promise<void> {
  const n = conflictWrites();
  const w = await world(admin, factory, Math.ceil(n / 2));
  const id = kind === 'project' ? w.project : w.role;
  const parent: { update(id: string, body: { description: string }): Promise<KsResponse>; delete(id: string): Promise<KsResponse> } =
    kind === 'project' ? admin.projects : admin.roles;
  const initial = w.users.slice(0, Math.ceil(w.users.length / 2));
  for (const u of initial) expectStatus(await admin.grants.grant(w.target(u), w.role), 204);

  const history = new History();
  // Racing writes may find the parent (or the assignment) gone: 404 is their only legitimate refusal.
  const racing = shuffled<Op<KsResponse>>([
    ...w.users.slice(initial.length).map((u) => mayRefuse(call(GRANT, 'grant', { user: u }, () => admin.grants.grant(w.target(u), w.role)), 404)),
    ...initial.map((u) => mayRefuse(call(REVOKE, 'revoke', { user: u }, () => admin.grants.revoke(w.target(u), w.role)), 404)),
    ...range(n - w.users.length).map((i) => mayRefuse(call(`PATCH /v3/${kind}s/{${kind}_id}`, 'update', { description: `d${i}` }, () => parent.update(id, { description: `d${i}` })), 404)),
  ]);
  const ops = insertAt(racing, mustAck(call(`DELETE /v3/${kind}s/{${kind}_id}`, 'delete', { kind, id }, () => parent.delete(id))), 1 / 3);
  const probe = await probeConflicts(cluster, history, ops);
  await recordRead(history, ASSIGNMENTS, () => admin.roleAssignments.list(kind === 'project' ? { 'scope.project.id': id } : { 'role.id': id }), children);
  await judgeConflicts(testInfo, `${kind} delete cascade`, history, probe, [checkCascade(history)], { provocation: NOT_MEASURED });
}

test.describe('cascade on delete under concurrency', { tag: ['@projects', '@roles', '@users', '@role-grants'] }, () => {
  test('project deleted while its assignments are granted, revoked and the project patched: no assignment survives the project', testId('c51ab654-aaaf-4455-8152-6d9f9f2d748d', '@slice'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('projects'); await allure.story('DELETE /v3/projects/{project_id}');
    await assignmentParentDeleteStorm({ admin, factory, cluster }, testInfo, 'project');
  });

  test('role deleted while it is granted, revoked and patched: no assignment survives the role', testId('e04921e1-cc42-4e6a-afb9-d97f77473e79'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('roles'); await allure.story('DELETE /v3/roles/{role_id}');
    await assignmentParentDeleteStorm({ admin, factory, cluster }, testInfo, 'role');
  });

  test('user deleted while its credentials are created and updated and it is granted a role: no credential or assignment survives the user', testId('2ea032aa-1313-4fb8-931f-0420ff3b83b1'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('users'); await allure.story('DELETE /v3/users/{user_id}');
    const n = conflictWrites();
    const w = await world(admin, factory, 1);
    const user = w.users[0]!;
    // Credentials left by a racing create outlive the user (orphans): swept by user id.
    deferSweep(factory, `credentials of user ${user}`, () => admin.credentials.list({ user_id: user }),
      (r) => admin.credentials.entities(r).map((c) => c.id), (id) => admin.credentials.delete(id));
    const existing: Credential[] = [];
    for (const i of range(Math.ceil(n / 4))) existing.push(admin.credentials.entity(expectStatus(await admin.credentials.create({ user_id: user, type: 'gate', blob: JSON.stringify({ label: `c${i}` }) }), 201)));
    expectStatus(await admin.grants.grant(w.target(user), w.role), 204);

    const history = new History();
    // Racing writes may find the user (or the credential) gone: 404 is their only legitimate refusal.
    const racing = shuffled<Op<KsResponse>>([
      ...range(Math.ceil(n / 2)).map((i) => mayRefuse(call('POST /v3/credentials', 'create', { user, label: `n${i}` }, () => admin.credentials.create({ user_id: user, type: 'gate', blob: JSON.stringify({ label: `n${i}` }) })), 404)),
      ...existing.map((c, i) => mayRefuse(call('PATCH /v3/credentials/{credential_id}', 'update', { id: c.id }, () => admin.credentials.update(c.id, { blob: JSON.stringify({ label: `u${i}` }) })), 404)),
      ...range(Math.max(1, n - Math.ceil(n / 2) - existing.length)).map(() => mayRefuse(call(GRANT, 'grant', { user }, () => admin.grants.grant(w.target(user), w.role)), 404)),
    ]);
    const ops = insertAt(racing, mustAck(call('DELETE /v3/users/{user_id}', 'delete', { kind: 'user', id: user }, () => admin.users.delete(user))), 1 / 3);
    const probe = await probeConflicts(cluster, history, ops);
    // Two reads, both judged: every read after the delete must be free of the user.
    // The label names the create that made an orphan (Keystone does not check that the user exists).
    await recordRead(history, 'GET /v3/credentials', () => admin.credentials.list({ user_id: user }),
      (r) => admin.credentials.entities(r).map((c) => ({ user: c.user_id, id: c.id, label: labelOf(c) })));
    await recordRead(history, ASSIGNMENTS, () => admin.roleAssignments.list({ 'user.id': user }), children);
    await judgeConflicts(testInfo, 'user delete cascade', history, probe, [checkCascade(history)], { provocation: NOT_MEASURED });
  });
});
