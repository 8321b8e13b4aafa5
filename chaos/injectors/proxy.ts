// Network faults (latency, jitter, loss, partition) applied through a TCP fault proxy, either an
// in-process TcpFaultProxy or one in another process/container reached by its control URL.
import { assertChaosAllowed, type Fault, type FaultKind } from '../fault.js';
import { ProxyControlClient } from '../proxy/control-client.js';
import type { FaultDirection, PartitionMode, ProxyFaults } from '../proxy/proxy-faults.js';
import { TcpFaultProxy } from '../proxy/tcp-fault-proxy.js';

/** An in-process proxy, a control client, or the control API's base URL. */
export type ProxyHandle = TcpFaultProxy | ProxyControlClient | string;

interface SteerableProxy {
  description: string;
  ownedBySuite: boolean;
  getFaults(): Promise<ProxyFaults>;
  setFaults(faults: ProxyFaults): Promise<void>;
}

/**
 * A fault that layers `settings` over whatever the proxy already does (say, a WAN latency
 * baseline), and on heal puts back only the fields it changed. Nest faults on one proxy LIFO.
 */
export function proxyFault(handle: ProxyHandle, kind: FaultKind, settings: Partial<ProxyFaults>, name?: string): Fault {
  const proxy = steerable(handle);
  let before: ProxyFaults | undefined;
  return {
    name: name ?? `${kind} ${JSON.stringify(settings)} via ${proxy.description}`,
    kind,
    async inject() {
      assertChaosAllowed({ description: `TCP fault proxy ${proxy.description}`, ownedBySuite: proxy.ownedBySuite });
      before = await proxy.getFaults();
      await proxy.setFaults({ ...before, ...settings });
    },
    async heal() {
      if (!before) return; // inject never reached the proxy
      const restored = await proxy.getFaults();
      for (const key of Object.keys(settings) as Array<keyof ProxyFaults>) {
        (restored as unknown as Record<string, unknown>)[key] = before[key];
      }
      await proxy.setFaults(restored);
    },
  };
}

export function proxyLatency(
  handle: ProxyHandle,
  options: { latencyMs: number; jitterMs?: number; direction?: FaultDirection },
  name?: string,
): Fault {
  const { latencyMs, jitterMs = 0, direction = 'both' } = options;
  const label = name ?? `latency ${latencyMs}±${jitterMs} ms ${direction} via ${steerable(handle).description}`;
  return proxyFault(handle, 'latency', { latencyMs, jitterMs, direction }, label);
}

export function proxyLoss(
  handle: ProxyHandle,
  options: { loss: number; lossRetransmitMs?: number; direction?: FaultDirection },
  name?: string,
): Fault {
  const { loss, direction = 'both' } = options;
  const settings: Partial<ProxyFaults> = { loss, direction };
  if (options.lossRetransmitMs !== undefined) settings.lossRetransmitMs = options.lossRetransmitMs;
  const label = name ?? `loss ${loss} ${direction} via ${steerable(handle).description}`;
  return proxyFault(handle, 'loss', settings, label);
}

export function proxyPartition(
  handle: ProxyHandle,
  options: { mode?: PartitionMode; direction?: FaultDirection } = {},
  name?: string,
): Fault {
  const { mode = 'blackhole', direction = 'both' } = options;
  const label = name ?? `partition (${mode}) ${direction} via ${steerable(handle).description}`;
  return proxyFault(handle, 'partition', { partition: mode, direction }, label);
}

function steerable(handle: ProxyHandle): SteerableProxy {
  if (handle instanceof TcpFaultProxy) {
    return {
      description: handle.name,
      ownedBySuite: true, // it lives in this process: the suite made it
      getFaults: async () => handle.faults,
      setFaults: async (faults) => void handle.setFaults(faults),
    };
  }
  const client = typeof handle === 'string' ? new ProxyControlClient(handle) : handle;
  return {
    description: client.baseUrl,
    // A loopback control URL is a port the suite mapped from its own proxy container.
    ownedBySuite: isLoopbackUrl(client.baseUrl),
    getFaults: () => client.getFaults(),
    setFaults: async (faults) => void (await client.setFaults(faults)),
  };
}

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
