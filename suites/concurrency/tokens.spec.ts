import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { TOKEN_REVOCATION, joinStorms, judgeConflicts, scenarioCheck } from '../../fixtures/concurrency.js';
import { bootstrapRoleId } from '../../lib/keystone/bootstrap-roles.js';
import { passwordAuthBody } from '../../lib/keystone/credentials.js';
import type { KsResponse } from '../../lib/keystone/http.js';
import { subjectToken } from '../../lib/keystone/services/tokens.js';
import { describe } from '../../lib/workload/checkers/common.js';
import { checkRevocation } from '../../lib/workload/checkers/index.js';
import { probeConflicts } from '../../lib/workload/conflict-probe.js';
import type { Op } from '../../lib/workload/driver.js';
import { History } from '../../lib/workload/history.js';
import { call, conflictWrites, mayRefuse, mustAck, range, shuffled } from '../../lib/workload/keystone-ops.js';
import { testId } from '../../lib/coverage/test-ids.js';

const ISSUE = 'POST /v3/auth/tokens';
const VALIDATE = 'GET /v3/auth/tokens';
const REVOKE = 'DELETE /v3/auth/tokens';

test.describe('tokens under concurrency', { tag: ['@auth-tokens', '@os-revoke'] }, () => {
  test('issue/validate/revoke storm for one user across every region: a revoked token never validates again', testId('91a4de85-32b7-4ffd-981a-fd55072d7bbb', '@slice'), async ({ admin, regions, factory, cluster }, testInfo) => {
    await allure.feature('tokens'); await allure.story(REVOKE);
    const n = conflictWrites();
    const memberId = await bootstrapRoleId(admin, 'member');
    const project = await factory.project();
    const { user, password } = await factory.userWithRole(project.id, memberId);
    const body = passwordAuthBody({ username: user.name, userId: user.id, password, projectId: project.id });
    const regionName = (r: number) => cluster.regions[r]?.region ?? `region-${r}`;

    // Histories are attached to reports: they name tokens by label; the secrets stay in this map.
    const secrets = new Map<string, string>();
    const revokedCount = Math.ceil(n / 2);
    const labels = range(revokedCount + Math.max(2, Math.ceil(n / 4))).map((i) => `token-${i}`);
    const revoked = new Set(labels.slice(0, revokedCount));

    const history = new History();
    const since = new Date(Date.now() - 2_000);
    const issued = await probeConflicts(cluster, history, labels.map((token, i) => {
      const r = i % regions.length;
      return mustAck(call(ISSUE, 'issue', { token, region: regionName(r) }, async () => {
        const res = await regions[r]!.tokens.issue(body, { nocatalog: true });
        if (res.status === 201) secrets.set(token, subjectToken(res));
        return res;
      }));
    }));
    const live = labels.filter((t) => secrets.has(t));
    const validate = (token: string, r: number) => call(VALIDATE, 'validate', { token, region: regionName(r) },
      () => regions[r]!.tokens.validate(secrets.get(token)!, { nocatalog: true }));

    // Each revoked token is revoked twice (on two regions) while every token is validated everywhere.
    const storm = await probeConflicts(cluster, history, shuffled<Op<KsResponse>>([
      ...live.filter((t) => revoked.has(t)).flatMap((token, i) => [0, 1].map((k) => {
        const r = (i + k) % regions.length;
        // The second revoke of a token finds it revoked already: 404 is its legitimate refusal.
        return mayRefuse(call(REVOKE, 'revoke', { token, region: regionName(r) }, () => regions[r]!.tokens.revoke(secrets.get(token)!)), 404);
      })),
      ...live.flatMap((t) => regions.map((_, r) => validate(t, r))),
    ]));
    // The final reads of this scenario: after every revocation was answered, each token once
    // more on each region (recorded as validates, which is what checkRevocation judges).
    const after = await probeConflicts(cluster, history, live.flatMap((t) => regions.map((_, r) => validate(t, r))));
    const probe = await joinStorms(cluster, history, since, [issued, storm, after]);

    // Revoking one token must not take another of the same user with it.
    const lastValidates = history.pairs().filter((p) => p.invoke.f === 'validate').slice(-live.length * regions.length);
    // Only a definite refusal counts: an unknown outcome is reported by the leak check.
    const overRevoked = lastValidates.filter((p) => !revoked.has(String((p.invoke.value as { token: string }).token)) && p.outcome === 'fail');
    const untouched = scenarioCheck('unrevoked-tokens-valid', overRevoked.map((p) => `token '${(p.invoke.value as { token: string }).token}' was never revoked but ${describe(p)}`),
      { tokensIssued: live.length, neverRevoked: live.filter((t) => !revoked.has(t)).length });

    expect(live.length, 'tokens issued').toBeGreaterThan(0);
    await judgeConflicts(testInfo, 'token issue/validate/revoke', history, probe, [checkRevocation(history), untouched], { provocation: TOKEN_REVOCATION });
  });
});
