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
