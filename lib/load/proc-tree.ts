/**
 * CPU and memory of another program's whole process tree, sampled from /proc (Linux), for load
 * generators that run as a child (Rally forks worker processes). Node reports resource usage only
 * for itself (process.resourceUsage), so this reads /proc/<pid>/stat by hand; the parsing and the
 * window arithmetic are pure and selftested.
 *
 * CPU of the tree = sum over its live processes of utime + stime + cutime + cstime: a child that
 * exited and was waited for lives on in its parent's cutime/cstime, so nothing is counted twice
 * and nothing the tree waited for is lost. The series is made monotone (a child read just before
 * it is reaped and its parent just after can make one reading dip).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, clock ticks. */
  cpuTicks: number;
  /** Resident set, pages. */
  rssPages: number;
}

/** Parses /proc/<pid>/stat; the command name may hold spaces and parentheses, so fields count from the last ')'. */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // After ')': field 3 (state) is index 0, so field n is index n - 3.
  const f = text.slice(close + 2).trim().split(/\s+/);
  const field = (n: number) => Number(f[n - 3]);
  const ppid = field(4);
  const cpuTicks = field(14) + field(15) + field(16) + field(17);
  const rssPages = field(24);
  if (![pid, ppid, cpuTicks, rssPages].every(Number.isFinite)) return undefined;
  return { pid, ppid, cpuTicks, rssPages };
}

/** `root` and every process below it. */
export function processTree(stats: readonly ProcStat[], root: number): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  let rootStat: ProcStat | undefined;
  for (const s of stats) {
    if (s.pid === root) rootStat = s;
    const list = children.get(s.ppid) ?? [];
    list.push(s);
    children.set(s.ppid, list);
  }
  const out: ProcStat[] = [];
  const todo = rootStat ? [rootStat] : [];
  const seen = new Set<number>();
  while (todo.length) {
    const s = todo.pop()!;
    if (seen.has(s.pid)) continue;
    seen.add(s.pid);
    out.push(s);
    todo.push(...(children.get(s.pid) ?? []));
  }
  return out;
}

export interface TreeSample {
  /** Wall clock, epoch ms (Date.now()), so it lines up with timestamps another program logs. */
  tMs: number;
  /** Cumulative CPU seconds of the tree, monotone. */
  cpuS: number;
  /** Sum of the resident sets of the tree's processes, bytes (shared pages count once per process). */
  rssBytes: number;
  processes: number;
}

/** Cumulative CPU at `tMs`, interpolated linearly between the samples around it (clamped at the ends). */
export function cpuAt(samples: readonly TreeSample[], tMs: number): number {
  if (samples.length === 0) return 0;
  if (tMs <= samples[0]!.tMs) return samples[0]!.cpuS;
  const last = samples[samples.length - 1]!;
  if (tMs >= last.tMs) return last.cpuS;
  let lo = 0;
  let hi = samples.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (samples[mid]!.tMs <= tMs) lo = mid; else hi = mid;
  }
  const a = samples[lo]!;
  const b = samples[hi]!;
  return b.tMs === a.tMs ? b.cpuS : a.cpuS + ((b.cpuS - a.cpuS) * (tMs - a.tMs)) / (b.tMs - a.tMs);
}

/** CPU seconds the tree spent between two wall-clock instants. */
export function cpuBetween(samples: readonly TreeSample[], fromMs: number, toMs: number): number {
  return Math.max(0, cpuAt(samples, toMs) - cpuAt(samples, fromMs));
}

/** Largest tree RSS sampled within [fromMs, toMs] (plus the sample just before, which was current at fromMs). */
export function peakRssBetween(samples: readonly TreeSample[], fromMs: number, toMs: number): number {
  let peak = 0;
  let before: TreeSample | undefined;
  for (const s of samples) {
    if (s.tMs < fromMs) { before = s; continue; }
    if (s.tMs > toMs) break;
    peak = Math.max(peak, s.rssBytes);
  }
  return Math.max(peak, before?.rssBytes ?? 0);
}

const CLK_TCK = 100; // USER_HZ: fixed at 100 on Linux for /proc's tick fields
const PAGE_SIZE = 4096; // x86-64 and arm64 default pages; /proc/<pid>/stat counts rss in pages

/** Samples `root`'s process tree every `intervalMs` until stop(). One scan costs about 3 ms of CPU with ~120 processes. */
export class ProcTreeSampler {
  readonly samples: TreeSample[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private maxCpu = 0;

  constructor(private readonly root: number, private readonly intervalMs = 500) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** Takes one last sample (while the tree still exists, if called before it is reaped) and stops. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
  }

  get peakRssBytes(): number {
    return this.samples.reduce((m, s) => Math.max(m, s.rssBytes), 0);
  }

  sample(): void {
    const stats: ProcStat[] = [];
    for (const d of readdirSync('/proc')) {
      if (d.charCodeAt(0) < 48 || d.charCodeAt(0) > 57) continue;
      try {
        const s = parseProcStat(readFileSync(`/proc/${d}/stat`, 'utf8'));
        if (s) stats.push(s);
      } catch { /* the process ended between readdir and read */ }
    }
    const tree = processTree(stats, this.root);
    if (tree.length === 0) return; // the tree is gone: its last reading stands
    const cpu = tree.reduce((sum, s) => sum + s.cpuTicks, 0) / CLK_TCK;
    this.maxCpu = Math.max(this.maxCpu, cpu);
    this.samples.push({ tMs: Date.now(), cpuS: this.maxCpu, rssBytes: tree.reduce((sum, s) => sum + s.rssPages, 0) * PAGE_SIZE, processes: tree.length });
  }
}
