// Keeps one embedded cluster up while writing tests: writes the variables that point
// `KS_TARGET=external` runs at it, and removes it on Ctrl-C.
//   npx tsx scripts/dev-cluster.ts [env-file]        (default .cache/dev-cluster.env)
// Beside the env file (mode 0600, it holds the admin password): clouds.yaml with cloud `ks-dev`,
// one Keystone endpoint per region (openstacksdk's `regions: [{ name, values: { auth: { auth_url } } }]`).
// The env file names the cloud and, per region, the containers the chaos project may put faults
// into when KS_ALLOW_EXTERNAL_CHAOS=1 (KS_KEYSTONE_CONTAINERS, KS_DATABASE_CONTAINERS, and on
// Galera KS_REPLICATION_PROXY_CONTAINERS, KS_SQL_PROXY_CONTAINERS). Never write these into reports/.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { readSettings } from '../lib/config/settings.js';
import { startEmbedded } from '../lib/cluster/embedded.js';
import { replicationProxyName, sqlProxyName } from '../lib/cluster/topology-galera.js';

const settings = readSettings();
const cluster = await startEmbedded(settings, process.env.KS_RUN_ID || undefined);
const { admin, regions, runId } = cluster.info;
const file = resolve(process.argv[2] ?? '.cache/dev-cluster.env');
const cloudsFile = join(dirname(file), 'clouds.yaml');
const auth = { username: admin.username, password: admin.password, project_name: admin.projectName, user_domain_name: 'Default', project_domain_name: 'Default' };
writeFileSync(cloudsFile, stringify({
  clouds: { 'ks-dev': { auth_type: 'password', auth: { ...auth, auth_url: `${regions[0]!.baseUrl}/v3` }, regions: regions.map((r) => ({ name: r.region, values: { auth: { auth_url: `${r.baseUrl}/v3` } } })) } },
}), { mode: 0o600 });
const perRegion = (f: (i: number) => string | undefined) => regions.map((r, i) => `${r.region}=${f(i)}`).join(';');
const galera = cluster.info.backend === 'galera';
const env = [
  `export KS_TARGET=external`, `export OS_AUTH_URL=${regions[0]!.baseUrl}/v3`, `export OS_USERNAME=${admin.username}`,
  `export OS_PASSWORD=${admin.password}`, `export OS_PROJECT_NAME=${admin.projectName}`, `export OS_USER_DOMAIN_NAME=Default`,
  `export OS_PROJECT_DOMAIN_NAME=Default`, `export KS_DEV_KEYSTONE_CONTAINER=${regions[0]!.keystoneContainer}`,
  `export OS_CLIENT_CONFIG_FILE=${cloudsFile}`, `export OS_CLOUD=ks-dev`, `export KS_BACKEND=${cluster.info.backend}`,
  `export KS_KEYSTONE_CONTAINERS='${perRegion((i) => regions[i]!.keystoneContainer)}'`,
  ...(regions.every((r) => r.databaseContainer) ? [`export KS_DATABASE_CONTAINERS='${perRegion((i) => regions[i]!.databaseContainer)}'`] : []),
  ...(galera ? [
    `export KS_REPLICATION_PROXY_CONTAINERS='${perRegion((i) => replicationProxyName(runId, i + 1))}'`,
    `export KS_SQL_PROXY_CONTAINERS='${perRegion((i) => sqlProxyName(runId, i + 1))}'`,
  ] : []),
].join('\n');
writeFileSync(file, env + '\n', { mode: 0o600 });
process.stderr.write(`[dev-cluster] up (run ${runId}, ${regions.length} region(s)): source ${file} (Ctrl-C removes it)\n`);
const stop = async () => { await cluster.stop(); process.exit(0); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => undefined, 1 << 30);
