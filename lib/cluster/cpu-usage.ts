import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * Where CPU goes during a measured run on this machine: each container's CPU time from its cgroup
 * (v1 cpuacct or v2 cpu.stat), and the machine's busy time from /proc/stat. Benchmarks read them
 * before and after a side runs, so a figure says whether Keystone's CPU bounded it (issue #13).
 * Hand-written: no library in package.json reads cgroup counters; `docker stats` samples too coarsely.
 */

/** CPU seconds a container has used so far; undefined where its cgroup is not found. */
export function containerCpuSeconds(id: string): number | undefined {
  const v1 = '/sys/fs/cgroup/cpuacct/docker';
  if (existsSync(v1)) {
    const dir = readdirSync(v1).find((d) => d.startsWith(id));
    if (dir) return Number(readFileSync(`${v1}/${dir}/cpuacct.usage`, 'utf8').trim()) / 1e9;
  }
  const v2 = '/sys/fs/cgroup/system.slice';
  if (existsSync(v2)) {
    const dir = readdirSync(v2).find((d) => d.startsWith(`docker-${id}`));
    if (dir) return parseCpuStatUsec(readFileSync(`${v2}/${dir}/cpu.stat`, 'utf8'));
  }
  return undefined;
}

/** cgroup v2 cpu.stat: `usage_usec N` in seconds. */
export function parseCpuStatUsec(text: string): number | undefined {
  const m = /^usage_usec (\d+)$/m.exec(text);
  return m ? Number(m[1]) / 1e6 : undefined;
}

/** Busy CPU seconds of the whole machine so far (all cores): /proc/stat's first line minus idle and iowait. */
export function machineBusySeconds(procStat = readFileSync('/proc/stat', 'utf8'), hz = 100): number {
  const fields = procStat.split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) / hz;
}

export interface CpuSample { at: number; machine: number; groups: Record<string, number | undefined> }

/** Reads the machine and each named group of containers (e.g. keystone, database) now. */
export function sampleCpu(groups: Record<string, readonly string[]>): CpuSample {
  const sum = (ids: readonly string[]) => {
    const v = ids.map(containerCpuSeconds);
    return v.length && v.every((x) => x !== undefined) ? v.reduce((a, b) => a! + b!, 0) : undefined;
  };
  return { at: performance.now(), machine: machineBusySeconds(), groups: Object.fromEntries(Object.entries(groups).map(([k, ids]) => [k, sum(ids)])) };
}

/** "keystone 1.52 cores (76%), database 0.11 cores, everything else 0.30 cores, of 2": average cores used between two samples. */
export function describeCpu(before: CpuSample, after: CpuSample, cores = cpus().length): { wallSeconds: number; cores: Record<string, number | undefined>; text: string } {
  const wall = (after.at - before.at) / 1000;
  const used: Record<string, number | undefined> = {};
  let named = 0;
  for (const k of Object.keys(after.groups)) {
    const a = after.groups[k];
    const b = before.groups[k];
    used[k] = a !== undefined && b !== undefined && wall > 0 ? (a - b) / wall : undefined;
    named += used[k] ?? 0;
  }
  const machine = wall > 0 ? (after.machine - before.machine) / wall : 0;
  used.other = Math.max(0, machine - named);
  const text = `${Object.entries(used).map(([k, v]) => `${k} ${v === undefined ? '?' : `${v.toFixed(2)} cores (${Math.round((100 * v) / cores)}%)`}`).join(', ')}; machine busy ${machine.toFixed(2)} of ${cores} cores`;
  return { wallSeconds: wall, cores: { ...used, machine }, text };
}
