import type { ClusterInfo } from '../cluster/cluster-info.js';
import { checkNoLostUpdate, type CheckResult } from './checkers/index.js';
import { probeConflicts, type ConflictProbeResult } from './conflict-probe.js';
import { History } from './history.js';
import { call, conflictWrites, mustAck, range, recordRead } from './keystone-ops.js';

/**
 * The odd writes set the attribute every write shares (description), the even ones an extra
 * attribute of their own: Keystone rewrites the extra attributes from what it read, so a lost
 * update shows in either kind, and both kinds must persist.
 */
export const sharedOrOwnAttribute = (i: number): Record<string, unknown> => (i % 2 ? { description: `d${i}` } : { [`gate_attr_${i}`]: `v${i}` });

/** One resource's part of the no-lost-update scenario: how it is written and read back. */
export interface OneRowPatchScenario<W, R> {
  /** Op key of the write (METHOD + path template). */
  patchOp: string;
  /** PATCHes the one entity. */
  update: (patch: Record<string, unknown>) => Promise<W>;
  /** Op key of the final read. */
  readOp: string;
  read: () => Promise<R>;
  /** The entity in the read's answer, which the checker judges. */
  entityOf: (res: R) => unknown;
  /** The attributes the written ones had before the storm (a write that lost them all shows against these). */
  initial: Record<string, unknown>;
  /** The patch of write i (conflictWrites() of them, all acknowledged); sharedOrOwnAttribute unless the resource has its own. */
  patchOf?: (i: number) => Record<string, unknown>;
}

/** What the spec judges (judgeConflicts): the history, the probe's correlation, and the no-lost-update check. */
export interface OneRowPatchOutcome {
  history: History;
  probe: ConflictProbeResult;
  checks: CheckResult[];
}

/**
 * Concurrent PATCHes of one entity that must all be acknowledged (mustAck), then a final read in
 * the same history, checked for a lost update against `initial`. Judging stays with the spec, which
 * names the scenario and declares its provocation.
 */
export async function stormOneRowPatches<W, R>(cluster: ClusterInfo, s: OneRowPatchScenario<W, R>): Promise<OneRowPatchOutcome> {
  const history = new History();
  const patchOf = s.patchOf ?? sharedOrOwnAttribute;
  const ops = range(conflictWrites()).map((i) => {
    const patch = patchOf(i);
    return mustAck(call(s.patchOp, 'update', patch, () => s.update(patch)));
  });
  const probe = await probeConflicts(cluster, history, ops);
  await recordRead(history, s.readOp, s.read, s.entityOf);
  return { history, probe, checks: [checkNoLostUpdate(history, { initial: s.initial })] };
}
