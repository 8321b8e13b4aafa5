import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { DISTINCT_ROWS, joinStorms, judgeConflicts } from '../../fixtures/concurrency.js';
import { bootstrapRoleId } from '../../lib/keystone/bootstrap-roles.js';
import { passwordAuthBody } from '../../lib/keystone/credentials.js';
import type { ApplicationCredential } from '../../lib/keystone/services/application-credentials.js';
import { issuedToken } from '../../lib/keystone/services/tokens.js';
import { checkNoLostInsert, checkSetSemantics } from '../../lib/workload/checkers/index.js';
import { probeConflicts } from '../../lib/workload/conflict-probe.js';
import { History } from '../../lib/workload/history.js';
import { call, conflictWrites, mustAck, range, recordRead } from '../../lib/workload/keystone-ops.js';
import { testId } from '../../lib/coverage/test-ids.js';

const CREATE = 'POST /v3/users/{user_id}/application_credentials';
const DELETE = 'DELETE /v3/users/{user_id}/application_credentials/{application_credential_id}';
const LIST = 'GET /v3/users/{user_id}/application_credentials';

test.describe('application credentials under concurrency', { tag: '@application-credentials' }, () => {
  test('concurrent creates for one user (distinct names), then concurrent deletes: none lost, none resurrected, no leaked conflict', testId('669b37aa-0bb3-4c37-a44c-4d530e5af446', '@slice'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('application credentials'); await allure.story(CREATE);
    const n = conflictWrites();
    const memberId = await bootstrapRoleId(admin, 'member');
    // Deleting the owner (factory cleanup) deletes every credential of it, whatever the storm left.
    const domain = await factory.domain();
    const project = await factory.project({ domain_id: domain.id });
    const { user, password } = await factory.userWithRole(project.id, memberId, { domain_id: domain.id });
    // Application credentials are self-service: the owner's project-scoped token creates them.
    const token = await issuedToken(admin.tokens, passwordAuthBody({ username: user.name, userId: user.id, password, projectId: project.id }));
    const owner = admin.as(async () => token.id);

    const history = new History();
    const since = new Date(Date.now() - 2_000);
    const creates = range(n).map((i) => {
      const name = `${factory.name('ac')}-${i}`;
      return mustAck(call(CREATE, 'create', { name }, () => owner.applicationCredentials.create(user.id, { name, roles: [{ id: memberId }] })));
    });
    const created = await probeConflicts(cluster, history, creates);
    let listed: ApplicationCredential[] = [];
    await recordRead(history, LIST, () => owner.applicationCredentials.list(user.id), (r) => (listed = r.body.application_credentials));
    // Judged now: the read after the deletes becomes the final read of the history.
    const insert = checkNoLostInsert(history);

    const deletes = listed.map((ac) => mustAck(call(DELETE, 'remove', { element: ac.name }, () => owner.applicationCredentials.delete(user.id, ac.id))));
    const deleted = await probeConflicts(cluster, history, deletes);
    await recordRead(history, LIST, () => owner.applicationCredentials.list(user.id), (r) => r.body.application_credentials.map((ac) => ac.name));
    const probe = await joinStorms(cluster, history, since, [created, deleted]);

    expect(probe.stats.invoked).toBe(n + listed.length);
    await judgeConflicts(testInfo, 'application credential create + delete', history, probe, [insert, checkSetSemantics(history, { initial: listed.map((ac) => ac.name) })], { provocation: DISTINCT_ROWS });
  });
});
