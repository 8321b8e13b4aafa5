/**
 * Rally's results out: the workloads of `rally task report --json` (Rally 3.x, JSON report
 * revision 1.x), reduced to what a side-by-side table needs. Pure: parses a document, reads no file.
 *
 * Iteration durations follow Rally's own statistics table (rally/task/processing/charts.py,
 * MainStatsTable): the "total" of an iteration is `duration + idle_duration`, and every iteration
 * counts, failed ones too (their time is time-to-failure). Atomic actions are merged per
 * iteration the way Rally merges them: one sample per name, durations summed.
 */

export interface RallyWorkloadFigures {
  /** `KeystoneBasic.create_user` */
  scenario: string;
  /** Rally's 0-based position of the workload in the task. */
  position: number;
  iterations: number;
  failures: number;
  /** One per iteration, in start order: duration + idle_duration, in ms. */
  durationsMs: number[];
  /** Rally's load duration (first iteration start to last iteration end), seconds. */
  loadDurationS: number;
  /** Rally's full duration (contexts set up and cleaned up included), seconds. */
  fullDurationS: number;
  /** Wall clock (epoch ms) of the first iteration's start and the last iteration's end: the load window. */
  loadStartMs: number;
  loadEndMs: number;
  /** Top-level atomic actions: per name, one merged sample per iteration that ran it, in ms. */
  atomics: { name: string; durationsMs: number[] }[];
  /** Distinct `Type: message` of the failed iterations (unmasked: mask before printing). */
  errors: string[];
  passSla: boolean;
}

export class RallyReportError extends Error {
  constructor(message: string) { super(message); this.name = 'RallyReportError'; }
}

interface RawAtomic { name?: unknown; started_at?: unknown; finished_at?: unknown }
interface RawIteration { duration?: unknown; idle_duration?: unknown; timestamp?: unknown; error?: unknown; atomic_actions?: unknown }

const num = (v: unknown, where: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RallyReportError(`${where}: expected a number, got ${JSON.stringify(v)}`);
  return v;
};

/** Every workload of every task in the report, in task then position order. */
export function parseRallyJsonReport(doc: unknown): RallyWorkloadFigures[] {
  const tasks = (doc as { tasks?: unknown } | null)?.tasks;
  if (!Array.isArray(tasks)) throw new RallyReportError('not a Rally JSON report: no "tasks" array (rally task report --json)');
  const out: RallyWorkloadFigures[] = [];
  tasks.forEach((task, t) => {
    const subtasks = (task as { subtasks?: unknown }).subtasks;
    if (!Array.isArray(subtasks)) throw new RallyReportError(`tasks[${t}]: no "subtasks" array`);
    subtasks.forEach((st, s) => {
      const workloads = (st as { workloads?: unknown }).workloads;
      if (!Array.isArray(workloads)) throw new RallyReportError(`tasks[${t}].subtasks[${s}]: no "workloads" array`);
      workloads.forEach((w, i) => out.push(workloadFigures(w, `tasks[${t}].subtasks[${s}].workloads[${i}]`)));
    });
  });
  return out.sort((a, b) => a.position - b.position);
}

function workloadFigures(w: unknown, where: string): RallyWorkloadFigures {
  const wl = w as { scenario?: unknown; position?: unknown; data?: unknown; load_duration?: unknown; full_duration?: unknown; pass_sla?: unknown };
  const names = wl.scenario && typeof wl.scenario === 'object' ? Object.keys(wl.scenario) : [];
  if (names.length !== 1) throw new RallyReportError(`${where}: "scenario" must name exactly one scenario`);
  if (!Array.isArray(wl.data)) throw new RallyReportError(`${where}: no "data" array (the workload did not run?)`);
  const data = [...(wl.data as RawIteration[])].sort((a, b) => num(a.timestamp, `${where}.data[].timestamp`) - num(b.timestamp, `${where}.data[].timestamp`));
  const durationsMs: number[] = [];
  const atomics = new Map<string, number[]>();
  const errors = new Set<string>();
  let failures = 0;
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  data.forEach((it, k) => {
    const at = `${where}.data[${k}]`;
    const duration = num(it.duration, `${at}.duration`);
    const idle = it.idle_duration === undefined ? 0 : num(it.idle_duration, `${at}.idle_duration`);
    const ts = num(it.timestamp, `${at}.timestamp`);
    durationsMs.push((duration + idle) * 1000);
    start = Math.min(start, ts * 1000);
    end = Math.max(end, (ts + duration) * 1000);
    if (Array.isArray(it.error) && it.error.length > 0) {
      failures++;
      errors.add(`${String(it.error[0])}: ${String(it.error[1] ?? '').split('\n')[0]}`);
    }
    const merged = new Map<string, number>();
    for (const a of (Array.isArray(it.atomic_actions) ? it.atomic_actions : []) as RawAtomic[]) {
      if (typeof a.name !== 'string' || typeof a.started_at !== 'number' || typeof a.finished_at !== 'number') continue; // an action cut short has no end
      merged.set(a.name, (merged.get(a.name) ?? 0) + (a.finished_at - a.started_at) * 1000);
    }
    for (const [name, ms] of merged) {
      const list = atomics.get(name) ?? [];
      list.push(ms);
      atomics.set(name, list);
    }
  });
  return {
    scenario: names[0]!,
    position: typeof wl.position === 'number' ? wl.position : 0,
    iterations: data.length,
    failures,
    durationsMs,
    loadDurationS: typeof wl.load_duration === 'number' ? wl.load_duration : data.length ? (end - start) / 1000 : 0,
    fullDurationS: typeof wl.full_duration === 'number' ? wl.full_duration : 0,
    loadStartMs: data.length ? start : Number.NaN,
    loadEndMs: data.length ? end : Number.NaN,
    atomics: [...atomics].map(([name, durations]) => ({ name, durationsMs: durations })),
    errors: [...errors],
    passSla: wl.pass_sla !== false,
  };
}

/** The task's UUID from `rally task start` output ("Task  <uuid>: started" / "Using task: <uuid>"). */
export function rallyTaskUuid(output: string): string | undefined {
  const m = /\bTask\s+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s*:/i.exec(output)
    ?? /\b(?:task|uuid)[^0-9a-f]{0,20}([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i.exec(output);
  return m?.[1];
}
