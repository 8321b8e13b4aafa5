/**
 * Database-side evidence of provoked conflicts, independent of what Keystone logged:
 * PostgreSQL logs every serialization failure with SQLSTATE 40001 (our log_line_prefix has %e).
 */
export interface DatabaseConflict { time: number; sqlstate: string; message: string }

// "<docker ts> 2026-11-25 22:08:34.593 UTC [38] 40001 ERROR:  could not serialize access ..."
const PG_LINE = /^(?:\S+Z )?(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) UTC \[\d+\] (40001|40P01) ERROR:\s+(.*)$/;

export function parsePostgresConflicts(text: string): DatabaseConflict[] {
  const out: DatabaseConflict[] = [];
  for (const line of text.split('\n')) {
    const m = PG_LINE.exec(line);
    if (m) out.push({ time: Date.parse(m[1]!.replace(' ', 'T') + 'Z'), sqlstate: m[2]!, message: m[3]! });
  }
  return out;
}

/** Galera's certification counters (SHOW GLOBAL STATUS), summed over nodes, as a delta between two reads. */
export interface GaleraCounters { certFailures: number; bfAborts: number }
export function galeraDelta(before: GaleraCounters[], after: GaleraCounters[]): GaleraCounters {
  const sum = (xs: GaleraCounters[]) => xs.reduce((a, x) => ({ certFailures: a.certFailures + x.certFailures, bfAborts: a.bfAborts + x.bfAborts }), { certFailures: 0, bfAborts: 0 });
  const a = sum(after), b = sum(before);
  return { certFailures: a.certFailures - b.certFailures, bfAborts: a.bfAborts - b.bfAborts };
}

/**
 * The two counters from one node's `SHOW GLOBAL STATUS` (lib/cluster/galera-node.ts wsrepStatus,
 * names lower-cased). A node that does not report both, or reports something other than a count,
 * is refused: a missing counter read as 0 would hide conflicts.
 */
export function galeraCountersOf(status: Readonly<Record<string, string>>): GaleraCounters {
  const count = (name: string): number => {
    const v = status[name];
    if (v === undefined || !/^\d+$/.test(v.trim())) throw new RangeError(`Galera status: ${name} is ${v === undefined ? 'missing' : `"${v}"`}, not a count`);
    return Number(v.trim());
  };
  return { certFailures: count('wsrep_local_cert_failures'), bfAborts: count('wsrep_local_bf_aborts') };
}

/**
 * Conflicts Galera counted between two reads of every node (same nodes, same order): certification
 * failures plus brute-force aborts. null when a counter went down or a node is missing (a node
 * restarted and its counters began again): that window cannot be judged, and 0 would be a lie.
 */
export function galeraWindowConflicts(before: readonly GaleraCounters[], after: readonly GaleraCounters[]): number | null {
  if (before.length !== after.length || before.length === 0) return null;
  if (after.some((a, i) => a.certFailures < before[i]!.certFailures || a.bfAborts < before[i]!.bfAborts)) return null;
  const d = galeraDelta([...before], [...after]);
  return d.certFailures + d.bfAborts;
}
