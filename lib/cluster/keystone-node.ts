import { readFileSync } from 'node:fs';
import { type StartedNetwork, type StartedTestContainer, Wait } from 'testcontainers';
import type { Settings } from '../config/settings.js';
import { ownershipLabels } from './ownership.js';
import { LoopbackPortContainer } from './loopback-container.js';
import { freePort } from './ports.js';

export interface KeystoneNodeSpec {
  image: string;
  runId: string;
  region: string;
  index: number;
  databaseUrl: string;
  fernetKeys: string[];
  credentialKeys: string[];
  adminPassword: string;
  /** Only the first node of a cluster creates the schema. */
  dbSync: boolean;
  /**
   * Runs `keystone-manage bootstrap` (admin, region, identity endpoint); default true. A second
   * API node on an already bootstrapped database skips it: it has nothing to add, and running it
   * while the first node is still syncing the schema would race it.
   */
  bootstrap?: boolean;
}

export interface KeystoneNode {
  container: StartedTestContainer;
  region: string;
  baseUrl: string;
}

/**
 * One Keystone container. Its host port is chosen first so that `keystone-manage bootstrap`
 * writes an identity endpoint clients can actually reach.
 */
export async function startKeystone(settings: Settings, network: StartedNetwork, spec: KeystoneNodeSpec): Promise<KeystoneNode> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const container = await new LoopbackPortContainer(spec.image)
    .withName(`ks-gate-${spec.runId}-keystone-${spec.index}`)
    .withLabels({ ...ownershipLabels(spec.runId), 'ks-gate.role': 'keystone', 'ks-gate.region': spec.region })
    .withNetwork(network)
    .withNetworkAliases(`keystone-${spec.index}-${spec.runId}`)
    .withEnvironment({
      KS_DB_URL: spec.databaseUrl,
      KS_FERNET_KEYS: spec.fernetKeys.join(','),
      KS_CREDENTIAL_KEYS: spec.credentialKeys.join(','),
      KS_DB_SYNC: spec.dbSync ? '1' : '0',
      KS_BOOTSTRAP: spec.bootstrap === false ? '0' : '1',
      KS_UWSGI_PROCESSES: String(settings.uwsgiProcesses),
      KS_PASSWORD_HASH_ROUNDS: String(settings.passwordHashRounds),
      KS_ENFORCE_SCOPE: String(settings.enforceScope),
      KS_ENFORCE_NEW_DEFAULTS: String(settings.enforceScope),
      // The override's content, not its path: the container cannot see the host's files.
      ...(settings.policyFile ? { KS_POLICY_YAML: readFileSync(settings.policyFile, 'utf8') } : {}),
      OS_BOOTSTRAP_PASSWORD: spec.adminPassword,
      OS_BOOTSTRAP_REGION_ID: spec.region,
      OS_BOOTSTRAP_PUBLIC_URL: `${baseUrl}/v3`,
    })
    .withLoopbackPort(5000, port)
    // Not testcontainers' port wait: it dials `localhost`, which Node resolves to ::1 first, and the
    // port is bound on 127.0.0.1 only. waitForKeystone then checks GET /v3 and a token.
    .withWaitStrategy(Wait.forLogMessage(/ks-entrypoint: starting uwsgi/))
    .withStartupTimeout(120_000)
    .start();
  return { container, region: spec.region, baseUrl };
}
