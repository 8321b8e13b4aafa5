import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProxyControlClient } from '../../chaos/proxy/control-client.js';

let seq = 0;

const alive = (pid: number) => {
  try { process.kill(pid, 0); return true; } catch { return false; }
};

/**
 * Runs a conflict storm with `latencyMs` of one-way delay on the Keystone->database fault proxy.
 * Measured on this machine, storms without it provoked 0-2 conflicts per 40 writes: a Keystone
 * transaction lasted a few ms, so concurrent ones rarely overlapped. A few ms per database round
 * trip widens each transaction's window without changing what Keystone does.
 *
 * Playwright workers are separate processes sharing one proxy, so the latency is held by a lease
 * file per storm in a directory per proxy: it is cleared only when the last lease goes. A fault
 * someone else set on that proxy (a chaos test) is left alone and the storm runs without latency.
 */
export async function withStormLatency<T>(controlUrls: readonly (string | undefined)[], latencyMs: number, storm: () => Promise<T>): Promise<T> {
  const [first, ...rest] = controlUrls;
  if (!first) return rest.length ? withStormLatency(rest, latencyMs, storm) : storm();
  return onOneProxy(first, latencyMs, () => withStormLatency(rest, latencyMs, storm));
}

async function onOneProxy<T>(controlUrl: string, latencyMs: number, storm: () => Promise<T>): Promise<T> {
  if (latencyMs <= 0) return storm();
  const proxy = new ProxyControlClient(controlUrl);
  const current = await proxy.getFaults();
  const ours = current.partition === false && current.loss === 0 && current.jitterMs === 0 && (current.latencyMs === 0 || current.latencyMs === latencyMs);
  if (!ours) return storm();
  const dir = join(tmpdir(), `ks-gate-storm-latency-${createHash('sha256').update(controlUrl).digest('hex').slice(0, 12)}`);
  mkdirSync(dir, { recursive: true });
  // Leases of processes that died mid-storm would hold the latency for ever.
  for (const f of readdirSync(dir)) if (!alive(Number(f.split('-')[0]))) rmSync(join(dir, f), { force: true });
  const lease = join(dir, `${process.pid}-${seq++}`);
  writeFileSync(lease, '');
  try {
    await proxy.setFaults({ latencyMs, direction: 'both' });
    return await storm();
  } finally {
    rmSync(lease, { force: true });
    if (readdirSync(dir).length === 0) await proxy.clearFaults().catch(() => undefined);
  }
}
