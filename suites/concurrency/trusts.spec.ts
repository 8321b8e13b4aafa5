import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { DISTINCT_ROWS, joinStorms, judgeConflicts } from '../../fixtures/concurrency.js';
import { bootstrapRoleId } from '../../lib/keystone/bootstrap-roles.js';
import { passwordAuthBody } from '../../lib/keystone/credentials.js';
import { issuedToken } from '../../lib/keystone/services/tokens.js';
import type { Trust } from '../../lib/keystone/services/trusts.js';
import { checkNoLostInsert, checkSetSemantics } from '../../lib/workload/checkers/index.js';
import { probeConflicts } from '../../lib/workload/conflict-probe.js';
import { History } from '../../lib/workload/history.js';
import { call, conflictWrites, mustAck, range, recordRead } from '../../lib/workload/keystone-ops.js';
import { testId } from '../../lib/coverage/test-ids.js';

const CREATE = 'POST /v3/OS-TRUST/trusts';
const DELETE = 'DELETE /v3/OS-TRUST/trusts/{trust_id}';
const LIST = 'GET /v3/OS-TRUST/trusts';

/**
 * Trusts have no name: each create gets its own expiry (whole seconds apart), which Keystone's
 * duplicate_trust_constraint also requires of trusts between the same two users on one project.
 */
const label = (expiresAt: string | number) => `trust-${typeof expiresAt === 'number' ? expiresAt : Date.parse(expiresAt)}`;

test.describe('trusts under concurrency', { tag: '@os-trust' }, () => {
  test('concurrent creates for one trustor, then concurrent deletes: none lost, none resurrected, no leaked conflict', testId('febe72cd-874a-48f7-82ef-acaddb073137', '@slice'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('trusts'); await allure.story(CREATE);
    const n = conflictWrites();
    const memberId = await bootstrapRoleId(admin, 'member');
    // Deleting the trustor and trustee (factory cleanup) deletes every trust between them.
    const domain = await factory.domain();
    const project = await factory.project({ domain_id: domain.id });
    const trustor = await factory.userWithRole(project.id, memberId, { domain_id: domain.id });
    const trustee = await factory.user({ domain_id: domain.id });
    // Keystone requires the caller to be the trustor.
    const token = await issuedToken(admin.tokens, passwordAuthBody({ username: trustor.user.name, userId: trustor.user.id, password: trustor.password, projectId: project.id }));
    const asTrustor = admin.as(async () => token.id);
    const base = Math.floor(Date.now() / 1000) * 1000 + 86_400_000;

    const history = new History();
    const since = new Date(Date.now() - 2_000);
    const creates = range(n).map((i) => {
      const expires = base + i * 1000;
      return mustAck(call(CREATE, 'create', { name: label(expires) }, () => asTrustor.trusts.create({
        trustor_user_id: trustor.user.id, trustee_user_id: trustee.id, project_id: project.id,
        impersonation: false, roles: [{ id: memberId }], expires_at: new Date(expires).toISOString(),
      })));
    });
    const created = await probeConflicts(cluster, history, creates);
    let listed: Trust[] = [];
    const read = () => recordRead(history, LIST, () => admin.trusts.list({ trustor_user_id: trustor.user.id }),
      (r) => (listed = admin.trusts.entities(r)).map((t) => ({ name: label(t.expires_at!) })));
    await read();
    // Judged now: the read after the deletes becomes the final read of the history.
    const insert = checkNoLostInsert(history);
    const initial = listed.map((t) => label(t.expires_at!));

    const deletes = listed.map((t) => mustAck(call(DELETE, 'remove', { element: label(t.expires_at!) }, () => admin.trusts.delete(t.id))));
    const deleted = await probeConflicts(cluster, history, deletes);
    await recordRead(history, LIST, () => admin.trusts.list({ trustor_user_id: trustor.user.id }), (r) => admin.trusts.entities(r).map((t) => label(t.expires_at!)));
    const probe = await joinStorms(cluster, history, since, [created, deleted]);

    expect(probe.stats.invoked).toBe(n + initial.length);
    await judgeConflicts(testInfo, 'trust create + delete', history, probe, [insert, checkSetSemantics(history, { initial })], { provocation: DISTINCT_ROWS });
  });
});
