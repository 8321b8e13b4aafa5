import type { StartedNetwork, StartedTestContainer } from 'testcontainers';
import type { ClusterInfo } from './cluster-info.js';

/**
 * What every embedded topology (topology-galera.ts, topology-cockroachdb.ts, the PostgreSQL one in
 * embedded.ts) returns. It lives here, not in embedded.ts, so that embedded.ts only picks a
 * topology and no topology imports embedded.ts back (DESIGN §2).
 */
export interface EmbeddedCluster {
  info: ClusterInfo;
  containers: StartedTestContainer[];
  network: StartedNetwork;
  stop(): Promise<void>;
}
