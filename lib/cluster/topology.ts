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

/**
 * Runs one phase of a bring-up (images, database, keystone nodes). The `cluster` setup project
 * passes Playwright's test.step, so each phase shows in the list, JSON, JUnit and Allure reports
 * with its time; scripts (dev-cluster, bench) pass nothing.
 */
export type BringUpPhase = <T>(title: string, body: () => Promise<T>) => Promise<T>;
export const unreported: BringUpPhase = (_title, body) => body();
