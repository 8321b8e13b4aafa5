import * as allure from 'allure-js-commons';
import { test } from '../../fixtures/test.js';
import type { ClusterInfo } from '../../lib/cluster/cluster-info.js';
import { NOT_MEASURED, joinStorms, judgeConflicts } from '../../fixtures/concurrency.js';
import { bootstrapRoleId } from '../../lib/keystone/bootstrap-roles.js';
import type { Keystone } from '../../lib/keystone/client.js';
import { passwordAuthBody } from '../../lib/keystone/credentials.js';
import type { ResourceFactory } from '../../lib/keystone/factory.js';
import type { KsResponse } from '../../lib/keystone/http.js';
import { issuedToken } from '../../lib/keystone/services/tokens.js';
import { checkTakesEffect } from '../../lib/workload/checkers/index.js';
import { probeConflicts } from '../../lib/workload/conflict-probe.js';
import type { Op } from '../../lib/workload/driver.js';
import { History } from '../../lib/workload/history.js';
import { call, conflictWrites, insertAt, mustAck, range, shuffled } from '../../lib/workload/keystone-ops.js';
import { testId } from '../../lib/coverage/test-ids.js';

const VALIDATE = 'GET /v3/auth/tokens';
const AUTH = 'POST /v3/auth/tokens';
const TOKENS = 3;

/**
 * One disable racing validations of the user's project-scoped tokens, password authentications
 * and other PATCHes of the same row; then every token and the password once more on every region.
 * Tokens and passwords appear in the history as labels only.
 */
async function disableStorm(kind: 'user' | 'project', { admin, regions, factory, cluster }: { admin: Keystone; regions: Keystone[]; factory: ResourceFactory; cluster: ClusterInfo }) {
  const n = conflictWrites();
  const memberId = await bootstrapRoleId(admin, 'member');
  const project = await factory.project();
  const { user, password } = await factory.userWithRole(project.id, memberId);
  const body = passwordAuthBody({ username: user.name, userId: user.id, password, projectId: project.id });
  const tokens: string[] = [];
  for (const _ of range(TOKENS)) tokens.push((await issuedToken(admin.tokens, body)).id);
  const regionName = (r: number) => cluster.regions[r]?.region ?? `region-${r}`;
  const access = { user: user.id, project: project.id };
  const validate = (t: number, r: number) => call(VALIDATE, 'auth', { ...access, token: `token-${t}`, region: regionName(r) }, () => regions[r]!.tokens.validate(tokens[t]!, { nocatalog: true }));
  const authenticate = (r: number) => call(AUTH, 'auth', { ...access, password: 'pw-0', region: regionName(r) }, () => regions[r]!.tokens.issue(body, { nocatalog: true }));
  const path = kind === 'user' ? 'PATCH /v3/users/{user_id}' : 'PATCH /v3/projects/{project_id}';
  const patch = (fields: Record<string, unknown>): Promise<KsResponse> => kind === 'user' ? admin.users.update(user.id, fields) : admin.projects.update(project.id, fields);

  const history = new History();
  const since = new Date(Date.now() - 2_000);
  const racing: Op<KsResponse>[] = shuffled<Op<KsResponse>>([
    ...range(n).map((i) => validate(i % TOKENS, i % regions.length)),
    ...range(Math.ceil(n / 4)).map((i) => authenticate(i % regions.length)),
    ...range(Math.ceil(n / 4)).map((i) => mustAck(call(path, 'update', { description: `d${i}` }, () => patch({ description: `d${i}` })))),
  ]);
  const storm = await probeConflicts(cluster, history, insertAt(racing, mustAck(call(path, `disable-${kind}`, { [kind]: access[kind] }, () => patch({ enabled: false }))), 1 / 3));
  // The final reads: every token and the password on every region, after the disable was answered.
  const final = await probeConflicts(cluster, history, regions.flatMap((_, r) => [...range(TOKENS).map((t) => validate(t, r)), authenticate(r)]));
  return { history, probe: await joinStorms(cluster, history, since, [storm, final]) };
}

test.describe('disabling users and projects under concurrency', { tag: ['@users', '@projects', '@auth-tokens'] }, () => {
  test('user disabled during token validation: no token or password of the user is accepted anywhere once the disable is acknowledged', testId('5fd5e659-52d3-49d2-9b9b-9109d1db2aee', '@slice'), async ({ admin, regions, factory, cluster }, testInfo) => {
    await allure.feature('users'); await allure.story('PATCH /v3/users/{user_id}');
    const { history, probe } = await disableStorm('user', { admin, regions, factory, cluster });
    await judgeConflicts(testInfo, 'user disable during validation', history, probe, [checkTakesEffect(history)], { provocation: NOT_MEASURED });
  });

  test('project disabled during token validation: no token scoped to it is accepted anywhere once the disable is acknowledged', testId('f9342283-febe-4361-8a07-0bffb5290209'), async ({ admin, regions, factory, cluster }, testInfo) => {
    await allure.feature('projects'); await allure.story('PATCH /v3/projects/{project_id}');
    const { history, probe } = await disableStorm('project', { admin, regions, factory, cluster });
    await judgeConflicts(testInfo, 'project disable during validation', history, probe, [checkTakesEffect(history)], { provocation: NOT_MEASURED });
  });
});
