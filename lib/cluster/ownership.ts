import { spawnSync } from 'node:child_process';
import { runnerPid } from './handover.js';

/**
 * The reaper (Ryuk) cannot be pulled here, so the suite removes its own containers. Each one is
 * labelled with the run id and the owning process id; anything whose owner is gone is swept.
 * The owner is the Playwright runner, not the worker that started the container: the `cluster`
 * setup project's worker exits once the cluster is up, and another run's sweep must not take a
 * cluster that still serves this run.
 */
export const LABEL = 'ks-gate';
export const LABEL_RUN = 'ks-gate.run';
export const LABEL_OWNER_PID = 'ks-gate.owner-pid';

export function ownershipLabels(runId: string): Record<string, string> {
  return { [LABEL]: 'true', [LABEL_RUN]: runId, [LABEL_OWNER_PID]: String(runnerPid()) };
}

function docker(args: string[]): string {
  const r = spawnSync('docker', args, { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? r.stdout.trim() : '';
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Removes every container and network of one run. Synchronous so it also works from a signal handler. */
export function removeRun(runId: string): number {
  const ids = docker(['ps', '-aq', '--filter', `label=${LABEL_RUN}=${runId}`]).split('\n').filter(Boolean);
  if (ids.length) docker(['rm', '-f', '-v', ...ids]);
  const nets = docker(['network', 'ls', '-q', '--filter', `label=${LABEL_RUN}=${runId}`]).split('\n').filter(Boolean);
  if (nets.length) docker(['network', 'rm', ...nets]);
  return ids.length;
}

/** Removes the leftovers of earlier runs whose process died without cleaning up (kill -9, power loss). */
export function sweepOrphans(): number {
  const lines = docker(['ps', '-a', '--filter', `label=${LABEL}`, '--format', `{{.Label "${LABEL_RUN}"}} {{.Label "${LABEL_OWNER_PID}"}}`]);
  // A run killed between creating its network and its first container leaves only the network.
  const networks = docker(['network', 'ls', '--filter', `label=${LABEL}`, '--format', `{{.Label "${LABEL_RUN}"}} {{.Label "${LABEL_OWNER_PID}"}}`]);
  const dead = new Set<string>();
  for (const line of [...lines.split('\n'), ...networks.split('\n')].filter(Boolean)) {
    const [run, pid] = line.split(' ');
    if (run && (!pid || !alive(Number(pid)))) dead.add(run);
  }
  let n = 0;
  for (const run of dead) n += removeRun(run);
  return n;
}
