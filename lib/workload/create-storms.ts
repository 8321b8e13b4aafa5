import type { ClusterInfo } from '../cluster/cluster-info.js';
import { checkNoLostInsert, checkUniqueName, type CheckResult } from './checkers/index.js';
import { probeConflicts, type ConflictProbeResult } from './conflict-probe.js';
import { History } from './history.js';
import { call, conflictWrites, mayRefuse, mustAck, range, recordRead } from './keystone-ops.js';

/** The final read of a create storm: what it asks and where the created entities are in its answer. */
export interface CreateStormRead<R> {
  readOp: string;
  read: () => Promise<R>;
  /** The listed entities (or their names) the checker judges. */
  entitiesOf: (res: R) => unknown;
}

/** What the spec judges (judgeConflicts): the history, the probe's correlation, the storm's checker. */
export interface CreateStormOutcome {
  history: History;
  probe: ConflictProbeResult;
  checks: CheckResult[];
}

/**
 * conflictWrites() concurrent creates of one name: each may be refused with 409 (the losers), the
 * final read of that name must show one row (checkUniqueName). `acknowledged` counts the 201s.
 */
export interface SameNameCreates<W, R> extends CreateStormRead<R> { createOp: string; name: string; create: () => Promise<W> }
export async function stormSameNameCreates<W, R>(cluster: ClusterInfo, s: SameNameCreates<W, R>): Promise<CreateStormOutcome & { acknowledged: number }> {
  const history = new History();
  const ops = range(conflictWrites()).map(() => mayRefuse(call(s.createOp, 'create', { name: s.name }, s.create), 409));
  const probe = await probeConflicts(cluster, history, ops);
  await recordRead(history, s.readOp, s.read, s.entitiesOf);
  const acknowledged = history.pairs().filter((p) => p.invoke.f === 'create' && p.outcome === 'ok').length;
  return { history, probe, checks: [checkUniqueName(history)], acknowledged };
}

/**
 * conflictWrites() concurrent creates of distinct names (`nameOf(i)`), every one to be
 * acknowledged; the final read must show each acknowledged create (checkNoLostInsert).
 */
export interface DistinctCreates<W, R> extends CreateStormRead<R> { createOp: string; nameOf: (i: number) => string; create: (name: string, i: number) => Promise<W> }
export async function stormDistinctCreates<W, R>(cluster: ClusterInfo, s: DistinctCreates<W, R>): Promise<CreateStormOutcome> {
  const history = new History();
  const ops = range(conflictWrites()).map((i) => {
    const name = s.nameOf(i);
    return mustAck(call(s.createOp, 'create', { name }, () => s.create(name, i)));
  });
  const probe = await probeConflicts(cluster, history, ops);
  await recordRead(history, s.readOp, s.read, s.entitiesOf);
  return { history, probe, checks: [checkNoLostInsert(history)] };
}
