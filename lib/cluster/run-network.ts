import { getContainerRuntimeClient, StartedNetwork } from 'testcontainers';
import { ownershipLabels } from './ownership.js';

const log = (m: string) => process.stderr.write(`[cluster] ${m}\n`);

/**
 * A docker network of one run, labelled with the run and its owner so removeRun() and the orphan
 * sweep find it: testcontainers' own Network carries no labels of ours, so a run that was killed,
 * or whose network.stop() failed, left it behind (31 such networks exhausted docker's address
 * pools on the shared machine, 2026-12-03). An internal network has no way out but the proxies.
 */
export async function createRunNetwork(runId: string, name: string, internal: boolean): Promise<StartedNetwork> {
  const client = await getContainerRuntimeClient();
  const options = { Name: name, Driver: 'bridge', Internal: internal, CheckDuplicate: true, Labels: { ...ownershipLabels(runId), 'ks-gate.role': internal ? 'database-network' : 'backbone' } };
  try {
    return new StartedNetwork(client, name, await client.network.create(options));
  } catch (e) {
    // The engine's default address pools (31 networks) are used up, e.g. by networks other tools
    // left on a shared machine: take a free /24 of FALLBACK_SUBNETS instead.
    if (!/non-overlapping IPv4 address pool/.test(String(e))) throw e;
    return withSubnetLock(async () => {
      const Subnet = await freeFallbackSubnet();
      log(`docker's default address pools are exhausted: network ${name} on ${Subnet}`);
      return new StartedNetwork(client, name, await client.network.create({ ...options, IPAM: { Driver: 'default', Config: [{ Subnet }] } }));
    });
  }
}

/** 10.213.0.0/16 in /24s: outside docker's default pools (172.17-31/16, 192.168/16). */
const FALLBACK_SUBNETS = Array.from({ length: 256 }, (_, i) => `10.213.${i}.0/24`);
let subnetLock: Promise<unknown> = Promise.resolve();
/** One fallback pick at a time, so networks created together never pick the same subnet. */
function withSubnetLock<T>(f: () => Promise<T>): Promise<T> {
  const next = subnetLock.then(f, f);
  subnetLock = next.catch(() => undefined);
  return next;
}
async function freeFallbackSubnet(): Promise<string> {
  const dockerode = (await getContainerRuntimeClient()).container.dockerode;
  const used = new Set((await dockerode.listNetworks()).flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet)));
  const free = FALLBACK_SUBNETS.find((s) => !used.has(s));
  if (!free) throw new Error('no free docker network address pool: the defaults and 10.213.0.0/16 are all in use');
  return free;
}
