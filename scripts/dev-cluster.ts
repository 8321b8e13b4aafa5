// Keeps one embedded cluster up while writing tests: prints the OS_* variables that point
// `KS_TARGET=external` runs at it, and removes it on Ctrl-C.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
import { writeFileSync } from 'node:fs';
import { readSettings } from '../lib/config/settings.js';
import { startEmbedded } from '../lib/cluster/embedded.js';

const cluster = await startEmbedded(readSettings());
const { admin, regions } = cluster.info;
const env = [
  `export KS_TARGET=external`, `export OS_AUTH_URL=${regions[0]!.baseUrl}/v3`, `export OS_USERNAME=${admin.username}`,
  `export OS_PASSWORD=${admin.password}`, `export OS_PROJECT_NAME=${admin.projectName}`, `export OS_USER_DOMAIN_NAME=Default`,
  `export OS_PROJECT_DOMAIN_NAME=Default`, `export KS_DEV_KEYSTONE_CONTAINER=${regions[0]!.keystoneContainer}`,
].join('\n');
const file = process.argv[2] ?? '.cache/dev-cluster.env';
writeFileSync(file, env + '\n', { mode: 0o600 });
process.stderr.write(`[dev-cluster] up: source ${file} (Ctrl-C removes it)\n`);
const stop = async () => { await cluster.stop(); process.exit(0); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => undefined, 1 << 30);
