import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { type GaleraNode, type GaleraNodeSpec, startGaleraNode, wsrepStatus, type WsrepStatus } from './galera-node.js';

const run = promisify(execFile);
const log = (m: string) => process.stderr.write(`[cluster] ${m}\n`);

/** A node counts as serving once it is Synced inside a Primary component of the expected size. */
export function isSynced(s: WsrepStatus, size: number): boolean {
  return s.wsrep_local_state_comment === 'Synced' && s.wsrep_cluster_status === 'Primary' && Number(s.wsrep_cluster_size) === size && s.wsrep_ready === 'ON';
}

function describe(s: WsrepStatus | undefined): string {
  if (!s) return 'no status';
  return `${s.wsrep_local_state_comment ?? '?'}, ${s.wsrep_cluster_status ?? '?'}, size ${s.wsrep_cluster_size ?? '?'}, ready ${s.wsrep_ready ?? '?'}`;
}

/**
 * Polls each node (docker exec + SHOW STATUS) until all of them are Synced in one Primary
 * component of `size` nodes, or fails at the deadline saying what each node last reported.
 */
export async function waitForSynced(containerIds: string[], size: number, timeoutMs: number): Promise<WsrepStatus[]> {
  const deadline = Date.now() + timeoutMs;
  const last = new Map<string, WsrepStatus | string>();
  while (true) {
    const results = await Promise.all(containerIds.map(async (id) => {
      try {
        const s = await wsrepStatus(id, Math.max(1_000, Math.min(10_000, deadline - Date.now())));
        last.set(id, s);
        return isSynced(s, size) ? s : undefined;
      } catch (e) {
        last.set(id, (e as Error).message.split('\n')[0]!);
        return undefined;
      }
    }));
    if (results.every((s) => s)) return results as WsrepStatus[];
    if (Date.now() >= deadline) {
      const detail = containerIds.map((id) => { const s = last.get(id); return `${id.slice(0, 12)}: ${typeof s === 'string' ? s : describe(s)}`; });
      throw new Error(`Galera: ${containerIds.length} node(s) not Synced in a Primary component of ${size} within ${Math.round(timeoutMs / 1000)} s (${detail.join('; ')})`);
    }
    await sleep(300);
  }
}

/**
 * Node 1 bootstraps; the others join one after another (rsync SST from a Synced donor), which
 * measured faster than joining at once (8-9 s vs 11-12 s to three Synced nodes). Nodes started
 * so far are returned through `started` even when a later one fails, so the caller can remove them.
 */
export async function startGaleraCluster(image: string, specs: GaleraNodeSpec[], started: GaleraNode[], timeoutPerNodeMs = 120_000): Promise<GaleraNode[]> {
  const t0 = Date.now();
  for (const spec of specs) {
    const node = await startGaleraNode(image, spec);
    started.push(node);
    await waitForSynced(started.map((n) => n.container.getId()), started.length, timeoutPerNodeMs);
    log(`galera-${spec.index} Synced (cluster of ${started.length}) after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  return started;
}

export interface RestartOptions {
  /** Cluster size to wait for once the node is back. */
  size: number;
  /** Deadline for the node (and the cluster) to be Synced again; default 120 s. */
  timeoutMs?: number;
  /** Form a new cluster from this node (no Primary component left anywhere). */
  bootstrap?: boolean;
  /** All nodes' containers, to wait until every one of them is Synced (default: only this one). */
  clusterContainerIds?: string[];
}

/** A file in the stopped container's filesystem asks its entrypoint to form a new cluster. */
async function requestBootstrap(containerId: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ks-galera-'));
  try {
    writeFileSync(join(dir, 'bootstrap'), '');
    await run('docker', ['cp', join(dir, 'bootstrap'), `${containerId}:/var/lib/ks-gate/bootstrap`], { timeout: 30_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Brings a stopped (killed or cleanly stopped) node back: its entrypoint recovers the last
 * committed position (--wsrep-recover) and rejoins with --wsrep-start-position, so it catches
 * up by IST (about 5 s) rather than a full SST. Returns once it is Synced again.
 */
export async function restartWithRecovery(containerId: string, options: RestartOptions): Promise<void> {
  if (options.bootstrap) await requestBootstrap(containerId);
  await run('docker', ['start', containerId], { timeout: 30_000 });
  await waitForSynced(options.clusterContainerIds ?? [containerId], options.size, options.timeoutMs ?? 120_000);
}

/**
 * For chaos/injectors/container.ts crashContainer({ restart }): heal a kill -9 of a Galera node
 * by a recovering restart, and wait until the node is Synced again.
 */
export function galeraRestartHook(options: Omit<RestartOptions, 'bootstrap'>): (context: { containerId: string }) => Promise<void> {
  return ({ containerId }) => restartWithRecovery(containerId, options);
}
