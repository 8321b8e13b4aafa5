import { getContainerRuntimeClient, type StartedNetwork, type StartedTestContainer, Wait } from 'testcontainers';
import { LoopbackPortContainer } from './loopback-container.js';
import { ownershipLabels } from './ownership.js';

/** The control API's port inside the container (chaos/proxy/control-server.ts). */
export const PROXY_CONTROL_PORT = 8474;

/** One relayed path: the proxy listens on `listenPort` (all interfaces) and dials `upstream` (host:port). */
export interface ProxyRoute {
  listenPort: number;
  upstream: string;
}

/** Arguments of chaos/proxy/main.ts: routes paired in order, one shared fault setting. */
export function proxyArguments(routes: ProxyRoute[], controlPort = PROXY_CONTROL_PORT): string[] {
  if (routes.length === 0) throw new Error('a fault proxy needs at least one route');
  const ports = new Set<number>();
  const args: string[] = [];
  for (const r of routes) {
    if (ports.has(r.listenPort) || r.listenPort === controlPort) throw new Error(`fault proxy port ${r.listenPort} used twice`);
    if (!/^[A-Za-z0-9._-]+:\d{1,5}$/.test(r.upstream)) throw new Error(`fault proxy upstream "${r.upstream}" is not host:port`);
    ports.add(r.listenPort);
    args.push('--listen', `0.0.0.0:${r.listenPort}`, '--upstream', r.upstream);
  }
  args.push('--control', `0.0.0.0:${controlPort}`);
  return args;
}

export interface FaultProxySpec {
  image: string;
  runId: string;
  name: string;
  /** Label value, e.g. `sql-proxy` or `replication-proxy`. */
  role: string;
  index: number;
  routes: ProxyRoute[];
  /** Reached by the host (published control port) and by other proxies/Keystones. */
  network: StartedNetwork;
  /** A second network joined after start, with aliases valid on that network only. */
  extraNetwork?: { name: string; aliases: string[] };
}

export interface FaultProxyNode {
  name: string;
  container: StartedTestContainer;
  /** http://127.0.0.1:<port>, for ProxyControlClient / the proxy injectors. */
  controlUrl: string;
}

export async function startFaultProxy(spec: FaultProxySpec): Promise<FaultProxyNode> {
  const container = await new LoopbackPortContainer(spec.image)
    .withName(spec.name)
    .withLabels({ ...ownershipLabels(spec.runId), 'ks-gate.role': spec.role, 'ks-gate.db-node': String(spec.index) })
    .withNetwork(spec.network)
    .withCommand(proxyArguments(spec.routes))
    .withLoopbackPort(PROXY_CONTROL_PORT)
    // main.ts prints one JSON line once every route and the control API listen.
    .withWaitStrategy(Wait.forLogMessage(/"ready":true/))
    .withStartupTimeout(60_000)
    .start();
  if (spec.extraNetwork) {
    const client = await getContainerRuntimeClient();
    await client.container.connectToNetwork(client.container.getById(container.getId()), client.network.getById(spec.extraNetwork.name), spec.extraNetwork.aliases);
  }
  return { name: spec.name, container, controlUrl: `http://127.0.0.1:${container.getMappedPort(PROXY_CONTROL_PORT)}` };
}
