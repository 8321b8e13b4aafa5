import { GenericContainer, type StartedNetwork, type StartedTestContainer, Wait } from 'testcontainers';
import type { Settings } from '../config/settings.js';
import { postgresImage } from './images.js';
import { ownershipLabels } from './ownership.js';

export interface PostgresNode {
  container: StartedTestContainer;
  /** SQLAlchemy URL as seen from inside the cluster network. */
  url: string;
  host: string;
  /** The same URL through another host:port (the Keystone->database fault proxy). */
  urlVia(hostPort: string): string;
}

/** PostgreSQL 15 at the configured default isolation (SERIALIZABLE unless told otherwise). */
export async function startPostgres(settings: Settings, network: StartedNetwork, runId: string, password: string): Promise<PostgresNode> {
  const image = await postgresImage();
  const host = `pg-${runId}`;
  const container = await new GenericContainer(image)
    .withName(`ks-gate-${runId}-postgres`)
    .withLabels({ ...ownershipLabels(runId), 'ks-gate.role': 'database' })
    .withNetwork(network)
    .withNetworkAliases(host)
    .withEnvironment({ PG_PASSWORD: password, PG_ISOLATION: settings.pgIsolation, PG_DATABASE: 'keystone' })
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/))
    .withStartupTimeout(60_000)
    .start();
  const urlVia = (hostPort: string) => `postgresql+psycopg2://postgres:${password}@${hostPort}/keystone`;
  return { container, host, url: urlVia(host), urlVia };
}
