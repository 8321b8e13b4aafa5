import { eventsOf, pairsOf, type HistoryLike, type OpPair } from '../history.js';
import { describe, verdict, type CheckResult } from './common.js';

interface TokenOp { token?: string; region?: string }

/**
 * A token whose revocation was acknowledged at time t never validates again: no validate invoked
 * after t, on any region, may succeed.
 * History shape: f 'revoke' and f 'validate' with invoke value { token, region? }. `token` is a
 * label the suite chose, never the token itself: histories are attached to reports.
 * Nothing checked is not a pass: no acknowledged revocation, or an acknowledged revocation with
 * no validation invoked after it, makes the history invalid. A random mixed workload (chaos)
 * does not validate every token it revoked: with `everyRevocation: false` it must have checked
 * at least one, and the unchecked ones are counted instead.
 */
export function checkRevocation(history: HistoryLike, opts: { everyRevocation?: boolean } = {}): CheckResult {
  const everyRevocation = opts.everyRevocation ?? true;
  const pairs = pairsOf(eventsOf(history));
  const firstAck = new Map<string, OpPair>();
  for (const p of pairs) {
    if (p.invoke.f !== 'revoke' || p.outcome !== 'ok') continue;
    const token = String(valueOf(p).token);
    const seen = firstAck.get(token);
    if (!seen || p.end < seen.end) firstAck.set(token, p);
  }

  const violations: string[] = [];
  if (firstAck.size === 0) violations.push('no revocation acknowledged: nothing was checked');
  const checkedTokens = new Set<string>();
  let checked = 0;
  for (const v of pairs) {
    if (v.invoke.f !== 'validate') continue;
    const revoke = firstAck.get(String(valueOf(v).token));
    if (!revoke || v.start <= revoke.end) continue;
    checked++;
    checkedTokens.add(String(valueOf(v).token));
    if (v.outcome !== 'ok') continue;
    const region = valueOf(v).region;
    violations.push(`token '${valueOf(v).token}' validated${region ? ` in region ${region}` : ''} by ${describe(v)}, ` +
      `invoked ${(v.start - revoke.end).toFixed(0)} ms after its revocation was acknowledged by ${describe(revoke)}`);
  }
  const unchecked = [...firstAck].filter(([token]) => !checkedTokens.has(token));
  if (everyRevocation) {
    for (const [token, revoke] of unchecked) violations.push(`token '${token}': no validation invoked after its revocation was acknowledged by ${describe(revoke)}: not checked`);
  } else if (firstAck.size > 0 && checkedTokens.size === 0) {
    violations.push(`none of the ${firstAck.size} acknowledged revocations was followed by a validation: nothing was checked`);
  }
  return verdict('revocation', violations, { revocationsAcked: firstAck.size, validatesAfterAck: checked, revocationsUnchecked: unchecked.length, violations: violations.length });
}

function valueOf(p: OpPair): TokenOp {
  return (p.invoke.value ?? {}) as TokenOp;
}
