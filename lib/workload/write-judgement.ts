import { describe, type CheckResult } from './checkers/common.js';
import { describeLeak, type RetryCoverageRow } from './retry-coverage.js';
import { eventsOf, pairsOf, type HistoryLike, type OpPair } from './history.js';

/**
 * Logical functions that change state: a scenario must declare each such op as mustAck or
 * mayRefuse, or the judge cannot tell a legitimate refusal from a conflict answered with a 4xx.
 */
export const WRITE_FUNCTIONS = new Set([
  'create', 'add', 'remove', 'update', 'delete', 'grant', 'revoke', 'issue',
  'change-password', 'disable-user', 'enable-user', 'disable-project', 'enable-project',
]);

export interface WriteJudgement {
  /** Writes refused although declared must-ack, or refused with a status their declaration does not allow. */
  unexpectedRefusals: string[];
  /** Writes with no declaration: a harness error, the scenario cannot be judged. */
  undeclared: string[];
  /** Writes (or any op) with no answer within the client timeout: unknown for the checkers, an availability failure for the gate. */
  timeouts: string[];
}

const isTimeout = (p: OpPair) => p.outcome === 'info' && p.completion?.status === undefined && /^timeout\b/.test(p.completion?.error ?? '');

/** Judges every recorded op against what its scenario declared of it. */
export function judgeWrites(history: HistoryLike): WriteJudgement {
  const out: WriteJudgement = { unexpectedRefusals: [], undeclared: [], timeouts: [] };
  for (const p of pairsOf(eventsOf(history))) {
    if (isTimeout(p)) out.timeouts.push(`no answer within the client timeout: ${describe(p)} (${p.completion?.error})`);
    const e = p.invoke.expect;
    if (!e) {
      if (WRITE_FUNCTIONS.has(p.invoke.f ?? '')) out.undeclared.push(`write '${p.invoke.f}' declared neither mustAck nor mayRefuse: ${describe(p)}`);
      continue;
    }
    if (p.outcome !== 'fail') continue;
    const status = p.completion?.status;
    // A fail with no status is a refused connection: the write never reached Keystone, still not acknowledged.
    const why = status === undefined ? `refused connection (${p.completion?.error ?? 'no status'})` : `HTTP ${status}`;
    if (e.kind === 'must-ack') out.unexpectedRefusals.push(`write that must be acknowledged was refused with ${why}: ${describe(p)}`);
    else if (status === undefined || !e.statuses.includes(status)) out.unexpectedRefusals.push(`write refused with ${why}, only ${e.statuses.join('/')} is a legitimate refusal here: ${describe(p)}`);
  }
  return out;
}

/** How the backend answers conflicting transactions: whether a storm is expected to provoke conflicts at all. */
export type ConflictSemantics = 'serializable' | 'read-committed' | 'unknown';

export function conflictSemanticsOf(backend: string, isolation: string | undefined): ConflictSemantics {
  if (backend === 'galera' || backend === 'cockroachdb') return 'serializable';
  // Settings spell it 'read committed'; either spelling is read committed.
  if (backend === 'postgres') return isolation === 'serializable' ? 'serializable' : isolation ? 'read-committed' : 'unknown';
  return 'unknown';
}

export interface ProvocationInput {
  semantics: ConflictSemantics;
  /** Requests whose own Keystone log shows a database conflict (retried or not), summed over operations; null without Keystone's log. */
  conflictsByRequest: number | null;
  /** Conflicts the database logged in the window (every request of the window, other workers' included); null without its log. */
  databaseConflicts: number | null;
  /** The scenario's own declaration that its storm cannot conflict, or cannot be made to conflict reliably, with the reason. */
  declared?: ProvocationDeclaration;
}

/**
 * cannotConflict: the storm writes nothing two transactions could both touch. unreliable: it can
 * conflict, but measured storms did not do so steadily; failing it for provoking none would fail
 * a sound Keystone at random. Either is reported, never silently passed as judged.
 */
export type ProvocationDeclaration = { cannotConflict: string } | { unreliable: string };

export interface ProvocationVerdict {
  /** judged: conflicts were provoked and retry coverage was measured; not-judged fails the scenario. */
  status: 'judged' | 'not-judged' | 'not-applicable' | 'declared-no-conflict' | 'declared-unreliable' | 'unknown';
  reason: string;
}

/**
 * "A storm that provokes no conflict proves nothing": under a serializable backend a storm with 0
 * conflicts did not test retries, so the scenario is not judged (and fails) unless it declared
 * that it cannot conflict. Under read committed retry coverage does not apply (never a pass).
 * Keystone's per-request evidence counts first: the database's window count includes what
 * another worker's scenario provoked at the same time.
 */
export function judgeProvocation(p: ProvocationInput): ProvocationVerdict {
  const counted = p.conflictsByRequest ?? p.databaseConflicts;
  const figures = `${p.conflictsByRequest ?? 'n/a'} request(s) with a conflict in Keystone's log, ${p.databaseConflicts ?? 'n/a'} conflict(s) in the database's log`;
  if (p.semantics === 'read-committed') return { status: 'not-applicable', reason: `retry coverage not applicable: read committed raises no serialization failure (${figures})` };
  if (counted === null || p.semantics === 'unknown') return { status: 'unknown', reason: `retry coverage not judged: no log to count conflicts from, or unknown isolation (${figures})` };
  if (counted > 0) return { status: 'judged', reason: `${counted} conflict(s) provoked (${figures})` };
  if (p.declared && 'cannotConflict' in p.declared) return { status: 'declared-no-conflict', reason: `not judged, declared unable to conflict: ${p.declared.cannotConflict} (${figures})` };
  if (p.declared) return { status: 'declared-unreliable', reason: `not judged, no conflict provoked; declared unreliable to provoke: ${p.declared.unreliable} (${figures})` };
  return { status: 'not-judged', reason: `not judged: the storm provoked no database conflict under ${p.semantics} isolation, so it proved nothing about retries (${figures})` };
}

/** What judgeScenario needs of a storm's correlation (lib/workload/conflict-probe.ts ConflictProbeResult). */
export interface StormEvidence {
  rows: RetryCoverageRow[];
  databaseConflicts: number | null;
  logsAvailable: boolean;
  semantics: ConflictSemantics;
}

export interface ScenarioVerdict {
  /** The gate category of the most telling problem, in the order below; undefined when the scenario passes. */
  category?: string;
  /** Every problem, one line each, naming the operation and request. */
  problems: string[];
  writes: WriteJudgement;
  provocation: ProvocationVerdict;
}

/**
 * The whole judgement of one concurrency scenario: leaked conflicts (5xx, no response, or 4xx
 * with a logged conflict) and other server failures, undeclared writes, refused must-ack writes,
 * timeouts, broken invariants, and a storm that provoked no conflict. Pure, so each rule can be
 * shown failing on a hand-made history (selftest/write-judgement.spec.ts).
 */
export function judgeScenario(history: HistoryLike, storm: StormEvidence, checks: CheckResult[], declared?: ProvocationDeclaration): ScenarioVerdict {
  const writes = judgeWrites(history);
  const provocation = judgeProvocation({
    semantics: storm.semantics,
    conflictsByRequest: storm.logsAvailable ? storm.rows.reduce((a, r) => a + r.conflictsProvoked, 0) : null,
    databaseConflicts: storm.databaseConflicts,
    declared,
  });
  const leaks = storm.rows.filter((r) => r.leaks > 0);
  // A 5xx or a dropped connection without conflict evidence in the log is still a server failure.
  const serverFailures = storm.rows.filter((r) => r.otherServerFailures > 0);
  const broken = checks.filter((c) => !c.valid);
  // A broken invariant is named before a refusal: a refusal often follows from a lost write (the
  // remove of a member whose acknowledged add was lost answers 404), never the other way round.
  const categories: [boolean, string][] = [
    [leaks.length > 0 || serverFailures.length > 0, 'leaked-conflict'],
    [writes.undeclared.length > 0, 'harness'],
    [broken.length > 0, 'invariant'],
    [writes.unexpectedRefusals.length > 0, 'refused-write'],
    [writes.timeouts.length > 0, 'availability'],
    [provocation.status === 'not-judged', 'not-judged'],
  ];
  const problems = [
    ...leaks.map(describeLeak),
    ...serverFailures.map((r) => `${r.op}: ${r.otherServerFailures} HTTP 5xx/no response with no conflict in Keystone's log (logs ${storm.logsAvailable ? 'read' : 'unavailable: external target'})`),
    ...writes.undeclared,
    ...writes.unexpectedRefusals,
    ...writes.timeouts.map((t) => `availability: ${t}`),
    ...broken.map((c) => `invariant ${c.invariant} violated: ${c.details.slice(0, 5).join('; ')}`),
    ...(provocation.status === 'not-judged' ? [provocation.reason] : []),
  ];
  return { category: categories.find(([applies]) => applies)?.[1], problems, writes, provocation };
}
