import { eventsOf, pairsOf, type HistoryLike, type OpPair } from '../history.js';
import { describe, verdict, type CheckResult } from './common.js';

interface AccessOp { user?: string; project?: string; password?: string; from?: string; to?: string; region?: string }

/**
 * Password changes and disables take effect everywhere once acknowledged: an auth invoked after
 * the ack that uses the old password, the disabled user or the disabled project must not succeed,
 * unless a restoring op (password set back, re-enable) may have landed in between.
 * History shape (invoke values; passwords are labels, never secrets):
 *   'change-password' { user, from, to }  (also counts as a use of the old password)
 *   'disable-user' / 'enable-user' { user }, 'disable-project' / 'enable-project' { project }
 *   'auth' { user, password, project?, region? }
 * Nothing checked is not a pass: no acknowledged change or disable, or one with no attempt
 * invoked after it, makes the history invalid.
 */
export function checkTakesEffect(history: HistoryLike): CheckResult {
  const pairs = pairsOf(eventsOf(history));
  const revokers = new Map<string, OpPair[]>();
  const restorers = new Map<string, OpPair[]>();
  const add = (m: Map<string, OpPair[]>, key: string, p: OpPair) => m.set(key, [...(m.get(key) ?? []), p]);
  for (const p of pairs) {
    const v = valueOf(p);
    if (p.invoke.f === 'change-password') {
      if (p.outcome === 'ok') add(revokers, passwordKey(v.user, v.from), p);
      if (p.outcome !== 'fail') add(restorers, passwordKey(v.user, v.to), p);
    }
    for (const kind of ['user', 'project'] as const) {
      if (p.invoke.f === `disable-${kind}` && p.outcome === 'ok') add(revokers, `${kind} ${v[kind]}`, p);
      if (p.invoke.f === `enable-${kind}` && p.outcome !== 'fail') add(restorers, `${kind} ${v[kind]}`, p);
    }
  }

  const violations: string[] = [];
  let checked = 0;
  for (const a of pairs) {
    const keys = usedKeys(a);
    if (!keys.length) continue;
    let counted = false;
    for (const key of keys) {
      // The revocation was acked before the attempt began, and no restore could have landed between them.
      const revoke = (revokers.get(key) ?? []).find((r) => r !== a && r.end < a.start &&
        !(restorers.get(key) ?? []).some((s) => s !== a && s.start < a.end && s.end > r.start));
      if (!revoke) continue;
      if (!counted) { checked++; counted = true; }
      if (a.outcome !== 'ok') continue;
      const region = valueOf(a).region;
      violations.push(`${key} still accepted${region ? ` in region ${region}` : ''} by ${describe(a)}, ` +
        `invoked ${(a.start - revoke.end).toFixed(0)} ms after ${describe(revoke)} was acknowledged`);
    }
  }
  const acked = [...new Set([...revokers.values()].flat())];
  if (acked.length === 0) violations.push('no password change or disable acknowledged: nothing was checked');
  // An attempt after the ack is what checks it (a restore in between makes it a legitimate success, still a look).
  const attemptedAfter = (r: OpPair) => pairs.some((a) => a !== r && a.start > r.end && usedKeys(a).some((k) => (revokers.get(k) ?? []).includes(r)));
  for (const r of acked) if (!attemptedAfter(r)) violations.push(`no attempt invoked after ${describe(r)} was acknowledged: not checked`);
  return verdict('takes-effect', violations, { revocationsAcked: [...revokers.values()].flat().length, attemptsAfterAck: checked, violations: violations.length });
}

function valueOf(p: OpPair): AccessOp {
  return (p.invoke.value ?? {}) as AccessOp;
}

function passwordKey(user: string | undefined, password: string | undefined): string {
  return `password of user ${user} '${password}'`;
}

/** What an attempt relies on still being valid. */
function usedKeys(p: OpPair): string[] {
  const v = valueOf(p);
  if (p.invoke.f === 'auth') {
    return [
      ...(v.password !== undefined ? [passwordKey(v.user, v.password)] : []),
      ...(v.user !== undefined ? [`user ${v.user}`] : []),
      ...(v.project !== undefined ? [`project ${v.project}`] : []),
    ];
  }
  if (p.invoke.f === 'change-password') return [passwordKey(v.user, v.from), `user ${v.user}`];
  return [];
}
