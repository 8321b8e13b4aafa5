import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How the cluster goes from the `cluster` setup project to the rest of the run.
 *
 * The setup project (fixtures/cluster.setup.ts) runs in a Playwright worker, not in the runner:
 * - Workers of the projects that depend on it, and of its teardown project, get what it put in
 *   process.env (KS_CLUSTER_FILE, KS_RUN_ID, a shard's KS_RESOURCE_PREFIX, KS_TARGET_UNAVAILABLE,
 *   the TLS settings of an external target): Playwright (>= 1.32; 1.65: `__env_produced__` in
 *   playwright/lib/common, `extraEnvByProjectId` in playwright/lib/runner) sends a stopping
 *   worker's changed environment to its runner, which passes it to the workers of dependent and
 *   teardown projects. fixtures/test.ts and lib/ read those variables as they did when global
 *   setup set them in the runner.
 * - The runner (the main process: reporters, fixtures/run-guard.ts) never sees that environment.
 *   It reads this file instead, keyed by its own pid: every worker is forked by the runner, so in
 *   a worker the runner is `process.ppid` and in the runner it is `process.pid` (runnerPid()).
 *   The file holds no secret (the admin password stays in the 0600 cluster file), so it may
 *   outlive the cluster: the gate reporter reads the summary and run id in onEnd, after the
 *   teardown project ran; the run guard removes it when the runner exits.
 */
export interface Handover {
  /** The run id: container labels, secret registry, request logs (reports read it here). */
  runId?: string;
  /** What the reports name (gate.json, the Allure environment): backend, variant, isolation... no secrets. */
  summary?: ClusterSummary;
  /** The cluster file (admin password, 0600): the teardown removes it, the run guard on a signal. */
  clusterFile?: string;
  /**
   * Containers the suite started for this run. `starting`: bring-up in progress in worker
   * `setupPid`; `up`: the cluster serves the run; `stopped`: the teardown removed it. The run
   * guard removes a run that is not `stopped` on SIGINT/SIGTERM and when the runner exits.
   */
  embedded?: { state: 'starting' | 'up' | 'stopped'; setupPid?: number; containers?: { id: string; name: string }[] };
}

/** The cluster as the reports name it (fixtures/cluster.setup.ts writes it; reports/allure-dashboard.ts GatedEnvironment reads it). */
export interface ClusterSummary {
  backend?: string;
  keystoneVariant?: string;
  databaseIsolation?: string;
  target?: string;
  regions?: number;
  keystone?: { packageVersion?: string; apiVersion?: string };
  conflictInjection?: { mode: string; point: string };
  knownDefects?: string;
}

/**
 * The Playwright runner's pid: a worker's parent, else this process. A worker is forked by the
 * runner with an IPC channel and TEST_WORKER_INDEX set; a runner that a selftest starts from a
 * worker (`npx playwright test`) inherits TEST_WORKER_INDEX but has no IPC channel.
 */
export function runnerPid(): number {
  return process.env.TEST_WORKER_INDEX !== undefined && typeof process.send === 'function' ? process.ppid : process.pid;
}

const DIR = () => join(process.cwd(), '.cache');
const PREFIX = 'runner-';

export function handoverFile(pid = runnerPid()): string {
  return join(DIR(), `${PREFIX}${pid}.json`);
}

export function readHandover(pid = runnerPid()): Handover | undefined {
  const file = handoverFile(pid);
  try {
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as Handover : undefined;
  } catch {
    return undefined; // a torn write cannot happen (rename), a hand-edited file is not ours to trust
  }
}

/** Merges `patch` into the runner's handover (a write then a rename: a reader never sees half a file). */
export function updateHandover(patch: Handover, pid = runnerPid()): Handover {
  const next = { ...readHandover(pid), ...patch };
  mkdirSync(DIR(), { recursive: true });
  const file = handoverFile(pid);
  writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(next, null, 2));
  renameSync(`${file}.${process.pid}.tmp`, file);
  return next;
}

export function removeHandover(pid = runnerPid()): void {
  rmSync(handoverFile(pid), { force: true });
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Handover files of runners that are gone (killed with -9): their containers go with sweepOrphans(). */
export function sweepHandovers(): number {
  if (!existsSync(DIR())) return 0;
  let n = 0;
  for (const f of readdirSync(DIR())) {
    const m = new RegExp(`^${PREFIX}(\\d+)\\.json$`).exec(f);
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) { rmSync(join(DIR(), f), { force: true }); n++; }
  }
  return n;
}
