import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { ROLE_ASSIGNMENTS, joinStorms, judgeConflicts, scenarioCheck } from '../../fixtures/concurrency.js';
import type { Keystone } from '../../lib/keystone/client.js';
import { expectStatus } from '../../lib/keystone/http.js';
import type { GrantTarget } from '../../lib/keystone/services/role-grants.js';
import type { RoleAssignment } from '../../lib/keystone/types.js';
import { describe } from '../../lib/workload/checkers/common.js';
import { checkSetSemantics } from '../../lib/workload/checkers/index.js';
import { probeConflicts } from '../../lib/workload/conflict-probe.js';
import { History, type OpPair } from '../../lib/workload/history.js';
import { call, conflictWrites, mayRefuse, mustAck, range, recordRead, shuffled } from '../../lib/workload/keystone-ops.js';
import { testId } from '../../lib/coverage/test-ids.js';

const PROJECT_GRANT = 'PUT /v3/projects/{project_id}/users/{user_id}/roles/{role_id}';
const PROJECT_REVOKE = 'DELETE /v3/projects/{project_id}/users/{user_id}/roles/{role_id}';
const INHERITED_GRANT = 'PUT /v3/OS-INHERIT/projects/{project_id}/users/{user_id}/roles/{role_id}/inherited_to_projects';
const INHERITED_REVOKE = 'DELETE /v3/OS-INHERIT/projects/{project_id}/users/{user_id}/roles/{role_id}/inherited_to_projects';
const SYSTEM_GRANT = 'PUT /v3/system/users/{user_id}/roles/{role_id}';
const SYSTEM_REVOKE = 'DELETE /v3/system/users/{user_id}/roles/{role_id}';
const ASSIGNMENTS = 'GET /v3/role_assignments';

type Kind = 'project' | 'inherited' | 'system';
interface Grant { kind: Kind; user: string; role: string }

/** The set element a grant stands for: one row of GET /v3/role_assignments. */
const element = (g: Grant) => `${g.kind}:${g.user}:${g.role}`;

/** Grants and revokes of distinct assignments: each must be acknowledged. */
function grantOp(admin: Keystone, project: string, g: Grant, add: boolean) {
  return mustAck(grantCall(admin, project, g, add));
}

function grantCall(admin: Keystone, project: string, g: Grant, add: boolean) {
  const target: GrantTarget = { scope: 'projects', scopeId: project, actor: 'users', actorId: g.user, inherited: g.kind === 'inherited' };
  const f = add ? 'add' : 'remove';
  const value = { element: element(g) };
  if (g.kind === 'system') return call(add ? SYSTEM_GRANT : SYSTEM_REVOKE, f, value, () => add ? admin.grants.grantSystem('users', g.user, g.role) : admin.grants.revokeSystem('users', g.user, g.role));
  const op = g.kind === 'inherited' ? (add ? INHERITED_GRANT : INHERITED_REVOKE) : (add ? PROJECT_GRANT : PROJECT_REVOKE);
  return call(op, f, value, () => add ? admin.grants.grant(target, g.role) : admin.grants.revoke(target, g.role));
}

/**
 * The assignments of `users` on `project` (direct and OS-INHERIT) and on the system, as set
 * elements. One unfiltered listing: Keystone's filters cannot select a project and the system at
 * once, and the set checker judges one read.
 */
function assignmentElements(assignments: RoleAssignment[], project: string, users: Set<string>): string[] {
  const out: string[] = [];
  for (const a of assignments) {
    const user = a.user?.id;
    if (!user || !users.has(user)) continue;
    if (a.scope.system) out.push(element({ kind: 'system', user, role: a.role.id }));
    else if (a.scope.project?.id === project) out.push(element({ kind: a.scope['OS-INHERIT:inherited_to'] ? 'inherited' : 'project', user, role: a.role.id }));
  }
  return out;
}

test.describe('role grants under concurrency', { tag: ['@role-grants', '@os-inherit', '@system-roles'] }, () => {
  test('the identical grant many times at once, then the identical revoke many times at once: idempotent grant, one revoke wins', testId('d7b5c158-cfb0-4b98-8746-d0a8fd2807e5', '@slice'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('role grants'); await allure.story(PROJECT_GRANT);
    const n = conflictWrites();
    const role = await factory.role();
    const project = await factory.project();
    const user = await factory.user();
    const g: Grant = { kind: 'project', user: user.id, role: role.id };
    const target: GrantTarget = { scope: 'projects', scopeId: project.id, actor: 'users', actorId: user.id };
    const history = new History();
    const read = () => recordRead(history, ASSIGNMENTS, () => admin.roleAssignments.list({ 'user.id': user.id, 'scope.project.id': project.id }),
      (r) => assignmentElements(r.body.role_assignments, project.id, new Set([user.id])));

    const since = new Date(Date.now() - 2_000);
    // PUT of an existing grant is silent (204): every grant must be acknowledged; one revoke wins, the others may only get 404.
    const grants = await probeConflicts(cluster, history, range(n).map(() => mustAck(call(PROJECT_GRANT, 'add', { element: element(g) }, () => admin.grants.grant(target, role.id)))));
    await read();
    const revokes = await probeConflicts(cluster, history, range(n).map(() => mayRefuse(call(PROJECT_REVOKE, 'remove', { element: element(g) }, () => admin.grants.revoke(target, role.id)), 404)));
    await read();
    const probe = await joinStorms(cluster, history, since, [grants, revokes]);

    // The set checker cannot judge an element whose ops all overlap; what the API promises here is
    // plainer: PUT of an existing grant is silent (204), DELETE removes it once (the others 404).
    const pairs = history.pairs();
    const [afterGrants, afterRevokes] = pairs.filter((p) => p.invoke.f === 'read');
    const of = (op: string) => pairs.filter((p) => p.invoke.op === op);
    const violations: string[] = [];
    for (const p of of(PROJECT_GRANT)) if (p.outcome === 'fail') violations.push(`identical grant refused: ${describe(p)}`);
    const listed = (p: OpPair | undefined) => (p?.outcome === 'ok' ? (p.completion?.value as string[]) : undefined);
    const grantsAcked = of(PROJECT_GRANT).some((p) => p.outcome === 'ok');
    const afterGrantsRows = listed(afterGrants);
    if (grantsAcked && afterGrantsRows && afterGrantsRows.length !== 1) violations.push(`after the grants, ${afterGrantsRows.length} matching assignment(s) listed by ${describe(afterGrants!)}, expected exactly 1`);
    const revoked = of(PROJECT_REVOKE).filter((p) => p.outcome === 'ok');
    if (revoked.length > 1) violations.push(`${revoked.length} identical revokes acknowledged (one row can be deleted once): ${revoked.map(describe).join('; ')}`);
    for (const p of of(PROJECT_REVOKE)) if (p.outcome === 'fail' && p.completion?.status !== 404) violations.push(`losing revoke answered ${p.completion?.status}, expected 404: ${describe(p)}`);
    if (revoked.length && listed(afterRevokes)?.length) violations.push(`the grant is still listed by ${describe(afterRevokes!)} after its revoke was acknowledged`);
    const identical = scenarioCheck('identical-grant-idempotent', violations, { grants: n, revokesAcked: revoked.length });

    expect(probe.stats.invoked).toBe(2 * n);
    await judgeConflicts(testInfo, 'identical grant/revoke', history, probe, [identical, checkSetSemantics(history)], { provocation: ROLE_ASSIGNMENTS });
  });

  test('grants and revokes of two roles to many users on one project (direct, inherited, system) keep set semantics, with no leaked conflict', testId('c7cdf729-7898-414c-bedc-eec345003c4b'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('role grants'); await allure.story(PROJECT_GRANT);
    const n = conflictWrites();
    // Global roles: Keystone refuses domain-specific roles in system grants. Deleting them at
    // cleanup removes their assignments; deleting the domain removes the users (and theirs).
    const roles = [await factory.role(), await factory.role()];
    const domain = await factory.domain();
    const project = await factory.project({ domain_id: domain.id });
    const kinds: { kind: Kind; role: number }[] = [{ kind: 'project', role: 0 }, { kind: 'project', role: 1 }, { kind: 'inherited', role: 0 }, { kind: 'system', role: 1 }];
    // Set up one by one: concurrent setup would itself hit the conflicts under test and abort the scenario.
    const users: string[] = [];
    for (const i of range(Math.ceil(n / kinds.length))) {
      users.push(expectStatus(await admin.users.create({ name: `${factory.name('g')}-${i}`, domain_id: domain.id }), 201).body.user.id);
    }
    const grants = users.flatMap((user) => kinds.map((k): Grant => ({ kind: k.kind, user, role: roles[k.role]!.id }))).slice(0, n);
    // A fifth of the grants exist beforehand and are revoked while the others are granted.
    const initial = grants.filter((_, i) => i % 5 === 0);
    for (const g of initial) {
      const r = g.kind === 'system'
        ? await admin.grants.grantSystem('users', g.user, g.role)
        : await admin.grants.grant({ scope: 'projects', scopeId: project.id, actor: 'users', actorId: g.user, inherited: g.kind === 'inherited' }, g.role);
      expectStatus(r, 204);
    }
    const history = new History();
    const ops = shuffled(grants.map((g) => grantOp(admin, project.id, g, !initial.includes(g))));
    const probe = await probeConflicts(cluster, history, ops);
    const mine = new Set(users);
    await recordRead(history, ASSIGNMENTS, () => admin.roleAssignments.list(), (r) => assignmentElements(r.body.role_assignments, project.id, mine));

    expect(probe.stats.invoked).toBe(ops.length);
    await judgeConflicts(testInfo, 'role grants add/revoke', history, probe, [checkSetSemantics(history, { initial: initial.map(element) })], { provocation: ROLE_ASSIGNMENTS });
  });
});
