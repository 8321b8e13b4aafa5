import { getContainerRuntimeClient, StartedNetwork } from 'testcontainers';
import { ownershipLabels } from './ownership.js';

/**
 * A docker network of one run, labelled with the run and its owner so removeRun() and the orphan
 * sweep find it: testcontainers' own Network carries no labels of ours, so a run that was killed,
 * or whose network.stop() failed, left it behind (31 such networks exhausted docker's address
 * pools on the shared machine, 2026-12-03). An internal network has no way out but the proxies.
 */
export async function createRunNetwork(runId: string, name: string, internal: boolean): Promise<StartedNetwork> {
  const client = await getContainerRuntimeClient();
  const network = await client.network.create({ Name: name, Driver: 'bridge', Internal: internal, CheckDuplicate: true, Labels: { ...ownershipLabels(runId), 'ks-gate.role': internal ? 'database-network' : 'backbone' } });
  return new StartedNetwork(client, name, network);
}
