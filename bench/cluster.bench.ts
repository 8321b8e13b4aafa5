// Bring-up and teardown of the embedded PostgreSQL + Keystone cluster, printed as figures.
// `--cold` first removes the gate's images so the build is measured too (base image kept).
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { intSetting, readSettings } from '../lib/config/settings.js';
import { startEmbedded } from '../lib/cluster/embedded.js';
import { closeAllPools } from '../lib/keystone/http.js';

const { values: args } = parseArgs({ args: process.argv.slice(2), strict: true, options: { cold: { type: 'boolean', default: false } } });
const settings = readSettings();
const rounds = intSetting('KS_BENCH_ROUNDS', 3, 1, 50);
const rows: string[] = [];

async function once(label: string): Promise<void> {
  const t0 = performance.now();
  const cluster = await startEmbedded(settings);
  const up = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await cluster.stop();
  const down = (performance.now() - t1) / 1000;
  rows.push(`${label.padEnd(8)} bring-up ${up.toFixed(1).padStart(6)} s   teardown ${down.toFixed(1).padStart(5)} s`);
  console.log(rows.at(-1));
}

if (args.cold) {
  const images = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', 'reference=ks-gate/*'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  if (images.length) execFileSync('docker', ['rmi', '-f', ...images], { stdio: 'ignore' });
  await once('cold');
}
for (let i = 1; i <= rounds; i++) await once(`warm ${i}`);
await closeAllPools();
console.log(`\nembedded cluster (${settings.backend}, ${settings.pgIsolation}, ${settings.uwsgiProcesses} uwsgi processes); target: warm bring-up <= 30 s`);
for (const r of rows) console.log(`  ${r}`);
