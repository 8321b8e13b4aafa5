import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import type { Keystone } from '../../lib/keystone/client.js';
import type { ResourceFactory } from '../../lib/keystone/factory.js';
import { roleAssignmentsResponseSchema } from '../../lib/keystone/schemas/index.js';
import type { GrantTarget } from '../../lib/keystone/services/role-grants.js';
import type { RoleAssignment } from '../../lib/keystone/types.js';
import { expectOrKnownDefect } from '../../lib/conformance/server-error.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, expectError, expectJson, expectNoContent, UNKNOWN_ID } from './identity-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

/** One assignment as "<actor>:<role>@<scope>" (with "+inherited"), so sets compare as strings. */
function key(a: RoleAssignment): string {
  const actor = a.user ? `user:${a.user.id}` : `group:${a.group!.id}`;
  const scope = a.scope.project ? `project:${a.scope.project.id}` : a.scope.domain ? `domain:${a.scope.domain.id}` : 'system';
  return `${actor}:${a.role.id}@${scope}${a.scope['OS-INHERIT:inherited_to'] ? '+inherited' : ''}`;
}
const keys = (list: RoleAssignment[]) => [...new Set(list.map(key))].sort();

async function grant(admin: Keystone, factory: ResourceFactory, t: GrantTarget, roleId: string): Promise<void> {
  expectNoContent(await admin.grants.grant(t, roleId));
  factory.defer(`grant ${roleId}`, () => admin.grants.revoke(t, roleId));
}

test.describe('role assignments', { tag: '@role-assignments' }, () => {
  test('invalid filter combinations: 400', testId('fb60af9e-9fee-41ed-8774-b85a93231092', '@slice'), async ({ admin }) => {
    await allure.feature('role assignments'); await allure.story('GET /v3/role_assignments');
    // keystone/api/role_assignments.py refuses these combinations rather than answering an empty list.
    const invalid: Record<string, string>[] = [
      { 'user.id': UNKNOWN_ID, 'group.id': UNKNOWN_ID },
      { 'scope.domain.id': UNKNOWN_ID, 'scope.project.id': UNKNOWN_ID },
      { 'scope.system': 'all', 'scope.project.id': UNKNOWN_ID },
      { effective: 'true', 'group.id': UNKNOWN_ID },
      { include_subtree: 'true' },
    ];
    for (const query of invalid) {
      await test.step(`?${new URLSearchParams(query).toString()}`, async () => {
        expectError(await admin.roleAssignments.list(query), 400);
      });
    }
  });

  test('filters: user, group, role, project, domain, inherited, include_subtree, include_names, effective', testId('b1205fdd-c703-46bd-9b6b-93cb1eb747fe'), async ({ admin, factory }) => {
    await allure.feature('role assignments'); await allure.story('GET /v3/role_assignments');
    const domain = await factory.domain();
    const project = await factory.project({ domain_id: domain.id });
    const sub = await factory.project({ domain_id: domain.id, parent_id: project.id });
    const user = await factory.user({ domain_id: domain.id });
    const group = await factory.group({ domain_id: domain.id });
    const [r1, r2, r3] = [await factory.role(), await factory.role(), await factory.role()];
    expectNoContent(await admin.groups.addUser(group.id, user.id));
    // r1 implies r3, so the effective list shows r3 wherever r1 is.
    expect((await admin.impliedRoles.create(r1.id, r3.id)).status).toBe(201);
    factory.defer('rule r1 -> r3', () => admin.impliedRoles.delete(r1.id, r3.id));
    await grant(admin, factory, { scope: 'projects', scopeId: project.id, actor: 'users', actorId: user.id }, r1.id);
    await grant(admin, factory, { scope: 'projects', scopeId: project.id, actor: 'groups', actorId: group.id }, r2.id);
    await grant(admin, factory, { scope: 'domains', scopeId: domain.id, actor: 'users', actorId: user.id, inherited: true }, r2.id);
    await grant(admin, factory, { scope: 'projects', scopeId: sub.id, actor: 'users', actorId: user.id }, r2.id);

    const U = `user:${user.id}`, G = `group:${group.id}`, P = `project:${project.id}`, S = `project:${sub.id}`, D = `domain:${domain.id}`;
    const list = async (query: Record<string, string | boolean>) => {
      const r = await admin.roleAssignments.list(query);
      expectJson(r, 200, roleAssignmentsResponseSchema);
      return r.body.role_assignments;
    };

    await test.step('?user.id= (direct assignments of the user)', async () => {
      expect(keys(await list({ 'user.id': user.id }))).toEqual([`${U}:${r1.id}@${P}`, `${U}:${r2.id}@${D}+inherited`, `${U}:${r2.id}@${S}`].sort());
    });
    await test.step('?group.id=', async () => {
      expect(keys(await list({ 'group.id': group.id }))).toEqual([`${G}:${r2.id}@${P}`]);
    });
    await test.step('?role.id= with ?scope.project.id=', async () => {
      expect(keys(await list({ 'role.id': r1.id, 'scope.project.id': project.id }))).toEqual([`${U}:${r1.id}@${P}`]);
    });
    await test.step('?scope.project.id=', async () => {
      expect(keys(await list({ 'scope.project.id': project.id }))).toEqual([`${U}:${r1.id}@${P}`, `${G}:${r2.id}@${P}`].sort());
    });
    await test.step('?scope.domain.id= and ?scope.OS-INHERIT:inherited_to=projects', async () => {
      expect(keys(await list({ 'scope.domain.id': domain.id }))).toEqual([`${U}:${r2.id}@${D}+inherited`]);
      expect(keys(await list({ 'user.id': user.id, 'scope.OS-INHERIT:inherited_to': 'projects' }))).toEqual([`${U}:${r2.id}@${D}+inherited`]);
    });
    await test.step('?scope.project.id=&include_subtree=true adds the sub-project', async () => {
      expect(keys(await list({ 'scope.project.id': project.id, include_subtree: true }))).toEqual([`${U}:${r1.id}@${P}`, `${G}:${r2.id}@${P}`, `${U}:${r2.id}@${S}`].sort());
    });
    await test.step('?include_names=true names role, actor and scope', async () => {
      const named = await list({ 'user.id': user.id, 'scope.project.id': project.id, include_names: true });
      expect(named).toHaveLength(1);
      expect(named[0]).toMatchObject({
        role: { id: r1.id, name: r1.name },
        user: { id: user.id, name: user.name, domain: { id: domain.id, name: domain.name } },
        scope: { project: { id: project.id, name: project.name, domain: { id: domain.id, name: domain.name } } },
      });
    });
    await test.step('?effective=true expands groups, inheritance and implied roles', async () => {
      const effective = await list({ effective: true, 'user.id': user.id });
      // Only the user appears, on projects only. The domain-inherited r2 is expanded onto P and S
      // and keeps OS-INHERIT:inherited_to (api/role_assignments.py _format_entity); the group's
      // r2 on P and the implied r3 appear as plain project assignments.
      expect(keys(effective)).toEqual([
        `${U}:${r1.id}@${P}`, `${U}:${r3.id}@${P}`, `${U}:${r2.id}@${P}`, `${U}:${r2.id}@${P}+inherited`, `${U}:${r2.id}@${S}`, `${U}:${r2.id}@${S}+inherited`,
      ].sort());
      const inherited = effective.filter((a) => a.scope['OS-INHERIT:inherited_to']);
      inherited.forEach((a) => expect(a.links.assignment).toMatch(new RegExp(`/v3/OS-INHERIT/domains/${domain.id}/users/${user.id}/roles/${r2.id}/inherited_to_projects$`)));
      const implied = effective.find((a) => a.role.id === r3.id)!;
      // The link should name the inference rule, /v3/roles/{prior}/implies/{implied}. Zed writes
      // /v3/prior_role/{implied}/implies/{prior} (api/role_assignments.py _format_entity): no such
      // route, ids reversed. Soft, so the rest of the step still runs.
      const priorRole = String((implied.links as Record<string, string>).prior_role);
      expectOrKnownDefect(new RegExp(`/v3/roles/${r1.id}/implies/${r3.id}$`).test(priorRole), priorRole, { testInfo: test.info(), what: 'links.prior_role of an implied assignment', expected: '/v3/roles/{prior}/implies/{implied}' });
      const viaGroup = effective.filter((a) => a.role.id === r2.id && a.scope.project?.id === project.id).map((a) => (a.links as Record<string, string>).membership).filter(Boolean);
      expect(viaGroup).toEqual([expect.stringMatching(new RegExp(`/v3/groups/${group.id}/users/${user.id}$`))]);
    });
  });

  test('rejects missing, malformed and revoked tokens (401) and a plain member (403)', testId('87094a75-649b-4295-879e-5014ef6f40ae'), async ({ reader, admin, factory }) => {
    await allure.feature('role assignments'); await allure.story('GET /v3/role_assignments');
    const who = await callers(admin, factory, reader);
    await expectTokenRefusals(who, {
      probe: (ks) => ks.roleAssignments.list({ 'user.id': who.memberUserId }),
      probeAs: { revoked: (ks) => ks.roleAssignments.list() },
      member: {
        'member lists role assignments, even its own': async (member) => {
          expectError(await member.roleAssignments.list(), 403);
          expectError(await member.roleAssignments.list({ 'user.id': who.memberUserId }), 403);
          expectError(await member.roleAssignments.list({ 'scope.project.id': who.memberProjectId, include_subtree: true }), 403);
        },
      },
    });
  });
});
