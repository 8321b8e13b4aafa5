import * as allure from 'allure-js-commons';
import { test } from '../../fixtures/test.js';
import { NOT_MEASURED, joinStorms, judgeConflicts, scenarioCheck } from '../../fixtures/concurrency.js';
import { randomPassword } from '../../lib/cluster/keys.js';
import type { Keystone } from '../../lib/keystone/client.js';
import { passwordAuthBody } from '../../lib/keystone/credentials.js';
import { registerSecret } from '../../lib/keystone/mask.js';
import type { User } from '../../lib/keystone/types.js';
import { describe } from '../../lib/workload/checkers/common.js';
import { checkTakesEffect } from '../../lib/workload/checkers/index.js';
import { probeConflicts } from '../../lib/workload/conflict-probe.js';
import { History, type OpPair } from '../../lib/workload/history.js';
import { call, conflictWrites, insertAt, mayRefuse, mustAck, range, shuffled } from '../../lib/workload/keystone-ops.js';
import { testId } from '../../lib/coverage/test-ids.js';

const AUTH = 'POST /v3/auth/tokens';
const CHANGE = 'POST /v3/users/{user_id}/password';

/** Passwords of one user by label: histories carry the labels, the secrets stay here (and masked). */
class Passwords {
  private readonly secrets = new Map<string, string>();
  secret(label: string): string {
    let s = this.secrets.get(label);
    if (!s) { s = randomPassword(); registerSecret(s); this.secrets.set(label, s); }
    return s;
  }
}

/** An unscoped password authentication (no role needed): 201 while the password is valid, 401 after. */
function auth(regions: Keystone[], regionName: (r: number) => string, user: User, pw: Passwords, label: string, r: number) {
  return call(AUTH, 'auth', { user: user.id, password: label, region: regionName(r) },
    () => regions[r]!.tokens.issue(passwordAuthBody({ username: user.name, userId: user.id, password: pw.secret(label) }, true), { nocatalog: true }));
}

/** Self-service change (Keystone checks the original password, not the token). */
function change(admin: Keystone, user: User, pw: Passwords, from: string, to: string) {
  return call(CHANGE, 'change-password', { user: user.id, from, to }, () => admin.users.changePassword(user.id, pw.secret(from), pw.secret(to)));
}

const labelOf = (p: OpPair) => String((p.invoke.value as { password?: string; to?: string }).password ?? (p.invoke.value as { to?: string }).to);

test.describe('password changes under concurrency', { tag: ['@users', '@auth-tokens'] }, () => {
  test('password changes during authentication storms: the old password stops working everywhere once the change is acknowledged', testId('66a8e3e6-f18f-4ff3-afb0-f53b9a6b6aac', '@slice'), async ({ admin, regions, factory, cluster }, testInfo) => {
    await allure.feature('users'); await allure.story(CHANGE);
    const n = conflictWrites();
    const pw = new Passwords();
    const user = await factory.user({ password: pw.secret('pw-0') });
    const regionName = (r: number) => cluster.regions[r]?.region ?? `region-${r}`;
    const authWith = (labels: string[], count: number) => range(count).map((i) => auth(regions, regionName, user, pw, labels[i % labels.length]!, i % regions.length));

    const history = new History();
    const since = new Date(Date.now() - 2_000);
    // Two changes in a row, each racing a storm of authentications with the passwords around it.
    // Each change presents the right old password: it must be acknowledged.
    const first = await probeConflicts(cluster, history, insertAt(shuffled(authWith(['pw-0', 'pw-1'], Math.ceil(n / 2))), mustAck(change(admin, user, pw, 'pw-0', 'pw-1')), 1 / 3));
    const second = await probeConflicts(cluster, history, insertAt(shuffled(authWith(['pw-0', 'pw-1', 'pw-2'], Math.ceil(n / 2))), mustAck(change(admin, user, pw, 'pw-1', 'pw-2')), 1 / 3));
    // The final reads: every password once on every region, after both changes were answered.
    const final = await probeConflicts(cluster, history, ['pw-0', 'pw-1', 'pw-2'].flatMap((label) => regions.map((_, r) => auth(regions, regionName, user, pw, label, r))));
    const probe = await joinStorms(cluster, history, since, [first, second, final]);

    // checkTakesEffect judges the old passwords; the new one must also work once acknowledged.
    // With a change of unknown outcome the current password is unknown too: not judged then.
    const pairs = history.pairs();
    const changes = pairs.filter((p) => p.invoke.f === 'change-password');
    const current = changes.filter((p) => p.outcome === 'ok').map(labelOf).at(-1) ?? 'pw-0';
    const known = changes.every((p) => p.outcome !== 'info');
    // Only a definite refusal counts: an unknown outcome is reported by the leak check.
    const finals = known ? pairs.slice(-3 * regions.length).filter((p) => labelOf(p) === current && p.outcome === 'fail') : [];
    const works = scenarioCheck('new-password-works', finals.map((p) => `current password '${current}' refused after its change was acknowledged: ${describe(p)}`),
      { finalAttempts: 3 * regions.length, judged: known ? 1 : 0 });
    await judgeConflicts(testInfo, 'password change during auth', history, probe, [checkTakesEffect(history), works], { provocation: NOT_MEASURED });
  });

  test('concurrent password changes presenting the same old password: at most one succeeds', testId('654704f0-0d70-4efe-b91e-a520224073a2'), async ({ admin, regions, factory, cluster }, testInfo) => {
    await allure.feature('users'); await allure.story(CHANGE);
    const n = conflictWrites();
    const pw = new Passwords();
    const user = await factory.user({ password: pw.secret('pw-0') });
    const regionName = (r: number) => cluster.regions[r]?.region ?? `region-${r}`;

    const history = new History();
    const since = new Date(Date.now() - 2_000);
    // Once one change lands, the others present a wrong old password: 401 is their legitimate refusal.
    const storm = await probeConflicts(cluster, history, range(n).map((i) => mayRefuse(change(admin, user, pw, 'pw-0', `pw-new-${i}`), 401)));
    const acked = history.pairs().filter((p) => p.invoke.f === 'change-password' && p.outcome === 'ok');
    // The final reads: the old password on every region, and each acknowledged new password.
    const final = await probeConflicts(cluster, history, [
      ...regions.map((_, r) => auth(regions, regionName, user, pw, 'pw-0', r)),
      ...acked.map((p) => auth(regions, regionName, user, pw, labelOf(p), 0)),
    ]);
    const probe = await joinStorms(cluster, history, since, [storm, final]);

    // Keystone checks the original password and writes the new one in separate transactions:
    // a change acknowledged and then silently overwritten by a concurrent one is a lost update.
    const attempts = history.pairs().filter((p) => p.invoke.f === 'auth');
    const violations: string[] = [];
    if (acked.length > 1) violations.push(`${acked.length} changes from the same old password acknowledged: ${acked.map(describe).join('; ')}`);
    for (const c of acked) {
      const a = attempts.find((x) => labelOf(x) === labelOf(c));
      if (a?.outcome === 'fail') violations.push(`password '${labelOf(c)}' set by ${describe(c)} does not authenticate: ${describe(a)}`);
    }
    const cas = scenarioCheck('password-change-compare-and-set', violations, { changes: n, acked: acked.length });
    await judgeConflicts(testInfo, 'password change same old password', history, probe, [checkTakesEffect(history), cas], { provocation: NOT_MEASURED });
  });
});
