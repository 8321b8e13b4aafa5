/**
 * Buckets iteration outcomes over time (ops/s and errors/s), the input of chaos timelines.
 * An iteration counts in the bucket where it completed, since that is when its outcome is known.
 */
import type { IterationRecord } from './atomic.js';

export interface TimelineBucket {
  /** Bucket start, seconds from the run's start. */
  t: number;
  ok: number;
  errors: number;
  okPerSec: number;
  errorsPerSec: number;
  /** Error count by IterationError.kind. */
  errorKinds: Record<string, number>;
}

export function timeline(
  records: readonly IterationRecord[],
  opts: { bucketMs?: number; /** Extends the axis to the full run even if the tail was idle. */ wallMs?: number } = {},
): TimelineBucket[] {
  const bucketMs = opts.bucketMs ?? 1000;
  if (!(bucketMs > 0)) throw new RangeError(`bucketMs must be > 0, got ${bucketMs}`);
  let lastEnd = opts.wallMs ?? 0;
  for (const r of records) lastEnd = Math.max(lastEnd, r.start + r.durationMs);
  const n = Math.max(1, Math.ceil(lastEnd / bucketMs));
  const perSec = 1000 / bucketMs;
  const buckets: TimelineBucket[] = Array.from({ length: n }, (_, i) => ({
    t: (i * bucketMs) / 1000, ok: 0, errors: 0, okPerSec: 0, errorsPerSec: 0, errorKinds: {},
  }));
  for (const r of records) {
    const end = r.start + r.durationMs;
    if (!Number.isFinite(end)) continue;
    const b = buckets[Math.min(n - 1, Math.max(0, Math.floor(end / bucketMs)))]!;
    if (r.error) {
      b.errors++;
      b.errorKinds[r.error.kind] = (b.errorKinds[r.error.kind] ?? 0) + 1;
    } else {
      b.ok++;
    }
  }
  for (const b of buckets) {
    b.okPerSec = b.ok * perSec;
    b.errorsPerSec = b.errors * perSec;
  }
  return buckets;
}
