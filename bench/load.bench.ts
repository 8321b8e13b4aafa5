// KeystoneBasic.authenticate_user_and_validate_token through the gate's load driver, printed next
// to what real Rally and a bare undici loop measured on this kind of machine (FACTS.md, "Peers").
// The point is the driver's own cost: CPU spent per iteration is CPU Keystone does not get.
//
//   npm run bench:load                                   # embedded cluster (run `npm run setup` once)
//   source .cache/dev-cluster.env && npm run bench:load  # an external target (KS_TARGET=external)
// KS_BENCH_TIMES (default 60) and KS_BENCH_CONCURRENCY (default 4) match the Rally run.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
import { performance } from 'node:perf_hooks';
import type { ClusterInfo } from '../lib/cluster/cluster-info.js';
import { startEmbedded, type EmbeddedCluster } from '../lib/cluster/embedded.js';
import { connectExternal } from '../lib/cluster/external.js';
import { intSetting, readSettings } from '../lib/config/settings.js';
import { Keystone } from '../lib/keystone/client.js';
import { closeAllPools, KeystoneHttp } from '../lib/keystone/http.js';
import { PasswordSession } from '../lib/keystone/session.js';
import { constant, runCompleted, summarize } from '../lib/load/index.js';
import { keystoneBasic } from '../lib/load/keystone-scenarios.js';
import { ScenarioContext } from '../lib/load/scenario-context.js';

const TIMES = intSetting('KS_BENCH_TIMES', 60, 1, 100_000);
const CONCURRENCY = intSetting('KS_BENCH_CONCURRENCY', 4, 1, 256);

/** FACTS.md, "Peers": 60 iterations at concurrency 4 against one Keystone, default hash rounds. */
const PEERS = [
  { who: 'real Rally 3.3', itPerSec: 0.12, p50S: 11.6, p95S: null, cpuMsPerIt: 660, rssMb: 157 },
  { who: 'bare undici loop', itPerSec: 0.58, p50S: 6.5, p95S: 8.8, cpuMsPerIt: 10.8, rssMb: 99 },
];

const settings = readSettings();
let embedded: EmbeddedCluster | undefined;
let info: ClusterInfo;
if (settings.target === 'external') {
  // A shared target can take far longer than the suite's 8 s for one token; the bench waits.
  info = await connectExternal(process.env, 120_000);
} else {
  process.stderr.write('[bench] starting the embedded cluster (needs `npm run setup` once)\n');
  embedded = await startEmbedded(settings);
  info = embedded.info;
}

let context: ScenarioContext | undefined;
try {
  const http = new KeystoneHttp(info.regions[0]!.baseUrl, settings.requestTimeoutMs);
  const session = new PasswordSession(http, info.admin);
  const admin = new Keystone(http, () => session.getToken());
  context = new ScenarioContext(admin, { prefix: settings.resourcePrefix });
  await context.setup();
  await session.getToken(); // the admin token used for validation is not part of the measurement

  let maxRss = process.memoryUsage().rss;
  // memoryUsage.rss() is the cheap form: the sampler must not inflate the CPU it helps measure.
  const sampler = setInterval(() => { maxRss = Math.max(maxRss, process.memoryUsage.rss()); }, 250);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const scenario = keystoneBasic('authenticate_user_and_validate_token');
  const result = await constant(scenario.make({ admin, adminCredentials: info.admin, context }), { times: TIMES, concurrency: CONCURRENCY });
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  maxRss = Math.max(maxRss, process.memoryUsage().rss);

  const stats = summarize(result);
  const ok = result.iterations.filter((r) => !r.error).length;
  const done = runCompleted(result);
  const s = (ms: number | null | undefined) => (ms === null || ms === undefined ? '   n/a' : (ms / 1000).toFixed(2).padStart(6));
  const rows = [
    { who: 'this driver', itPerSec: ok / wallS, p50S: stats.total.median === null ? null : stats.total.median / 1000, p95S: stats.total.p95 === null ? null : stats.total.p95 / 1000, cpuMsPerIt: (cpu.user + cpu.system) / 1000 / Math.max(1, result.iterations.length), rssMb: maxRss / 2 ** 20 },
    ...PEERS,
  ];
  const num = (v: number | null, d: number, w: number) => (v === null ? 'n/a'.padStart(w) : v.toFixed(d).padStart(w));
  console.log(`\nKeystoneBasic.authenticate_user_and_validate_token: constant runner, ${TIMES} iterations, concurrency ${CONCURRENCY}`);
  console.log(`target ${info.target} (${info.keystoneVariant}, backend ${info.backend}); ${ok}/${result.iterations.length} ok, wall ${wallS.toFixed(1)} s; ${done.detail}`);
  console.log(`\n${'driver'.padEnd(18)} ${'it/s'.padStart(6)} ${'p50 s'.padStart(6)} ${'p95 s'.padStart(6)} ${'CPU ms/it'.padStart(10)} ${'RSS MB'.padStart(7)}`);
  for (const r of rows) console.log(`${r.who.padEnd(18)} ${num(r.itPerSec, 3, 6)} ${num(r.p50S, 2, 6)} ${num(r.p95S, 2, 6)} ${num(r.cpuMsPerIt, 1, 10)} ${num(r.rssMb, 0, 7)}`);
  console.log('\nper atomic action (s):');
  for (const a of stats.atomics) console.log(`  ${a.name.padEnd(28)} median ${s(a.median)}  p95 ${s(a.p95)}  max ${s(a.max)}  failures ${a.failures}`);
  for (const e of new Set(result.iterations.filter((r) => r.error).map((r) => `${r.error!.kind}: ${r.error!.message.slice(0, 160)}`))) console.log(`  error ${e}`);
  console.log('\nPeers ran against 4 uwsgi processes with default password hash rounds; the embedded cluster lowers them (KS_PASSWORD_HASH_ROUNDS),');
  console.log('so compare latency only against the same deployment. CPU per iteration is the driver\'s own cost and compares directly.');
  console.log('Target: CPU per iteration within 2x the bare undici loop (<= 22 ms), i.e. far below Rally\'s 660 ms.');
} finally {
  const failures = context ? await context.cleanup() : [];
  if (failures.length) console.error(`[bench] cleanup failed: ${failures.join('; ')}`);
  await closeAllPools();
  await embedded?.stop();
}
