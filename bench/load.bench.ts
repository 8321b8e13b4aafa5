// Issue #13: real Rally and this gate's load driver, side by side in the same run, against the SAME
// Keystone. One task file (Rally v1 format) names the scenarios; Rally runs it first
// (`rally task start`), then our runner runs the same file's workloads (lib/load/rally-task.ts
// reads it). Printed per scenario and side: Keystone throughput, p50/p95/p99 of the iteration
// duration (Rally's interpolated percentile on both sides' raw durations), the generator's CPU
// per 1,000 iterations and its peak RSS, and the ratios ours/Rally. Figures go to
// reports/out/bench-load.json as well. The exit code says only whether both sides produced figures.
//
//   npm run bench:load                                   # one embedded stock Keystone (run `npm run setup` once)
//   source .cache/dev-cluster.env && npm run bench:load  # an external target (KS_TARGET=external)
//   npm run bench:load -- --only=rally|ours|both         # default both
// KS_BENCH_TIMES (default 20) and KS_BENCH_CONCURRENCY (default 4): constant runner, both sides.
// Rally 3.3 and rally-openstack come from Debian (scripts/setup-rally.sh installs them when missing);
// its config, database, environment and reports live in .cache/rally/ (HOME too, so ~/.rally is not touched).
// rally-openstack adds its users context to every workload and its clean-up fails without a Neutron
// endpoint: on an external target Rally's tenant and user per workload (s_rally_*) stay behind.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { ClusterInfo } from '../lib/cluster/cluster-info.js';
import { newRunId, startEmbedded, type EmbeddedCluster } from '../lib/cluster/embedded.js';
import { connectExternal } from '../lib/cluster/external.js';
import { removeRun } from '../lib/cluster/ownership.js';
import { removeRunsOnSignal } from '../lib/cluster/run-cleanup.js';
import { ConfigError, intSetting, readSettings } from '../lib/config/settings.js';
import { Keystone } from '../lib/keystone/client.js';
import { closeAllPools, KeystoneHttp, TLS_CA_FILE_ENV, TLS_INSECURE_ENV } from '../lib/keystone/http.js';
import { maskText, registerSecret } from '../lib/keystone/mask.js';
import { PasswordSession } from '../lib/keystone/session.js';
import { constant } from '../lib/load/index.js';
import { ProcTreeSampler, cpuBetween, peakRssBetween } from '../lib/load/proc-tree.js';
import { parseRallyJsonReport, rallyTaskUuid, type RallyWorkloadFigures } from '../lib/load/rally-report.js';
import { rallyArgsOf, readRallyTask } from '../lib/load/rally-task.js';
import { keystoneBasic } from '../lib/load/keystone-scenarios.js';
import { ScenarioContext } from '../lib/load/scenario-context.js';
import { rallyPercentiles, type RallyPercentiles } from '../lib/load/stats.js';

const ROOT = process.cwd();
const RALLY_DIR = resolve(ROOT, '.cache/rally');
const OUT_FILE = resolve(ROOT, 'reports/out/bench-load.json');
const SCENARIOS = ['KeystoneBasic.authenticate_user_and_validate_token', 'KeystoneBasic.create_user', 'KeystoneBasic.create_and_delete_role'];
const TIMES = intSetting('KS_BENCH_TIMES', 20, 1, 100_000);
const CONCURRENCY = intSetting('KS_BENCH_CONCURRENCY', 4, 1, 256);
/** A hung Rally must not hold the machine for ever. */
const RALLY_TIMEOUT_MS = intSetting('KS_BENCH_RALLY_TIMEOUT_S', 1800, 60, 86_400) * 1000;

const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

type Only = 'rally' | 'ours' | 'both';
function readOnly(argv: string[]): Only {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: { only: { type: 'string', default: 'both' } } }));
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}: use --only=rally|ours|both`);
  }
  if (values.only !== 'rally' && values.only !== 'ours' && values.only !== 'both') throw new ConfigError(`--only=${values.only}: rally, ours or both`);
  return values.only;
}

// ---------------------------------------------------------------------------------------------
// Child processes: own process group each, so a signal ends Rally's whole tree and nothing else.

const children = new Set<ChildProcess>();

function killChildren(): void {
  for (const c of children) {
    try { process.kill(-c.pid!, 'SIGTERM'); } catch { /* already gone */ }
  }
}

interface Ran { code: number | null; signal: NodeJS.Signals | null; output: string; pid: number; seconds: number }

/**
 * Runs a command in its own process group; every output line is masked, kept, written to `logFile`
 * and echoed unless `echo` rejects it. `onSpawn` sees the pid at once (the CPU sampler's root).
 */
function run(label: string, cmd: string, args: string[], o: { env: NodeJS.ProcessEnv; logFile: string; echo?: (line: string) => boolean; timeoutMs?: number; onSpawn?: (pid: number) => void }): Promise<Ran> {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: RALLY_DIR, env: o.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    if (child.pid) o.onSpawn?.(child.pid);
    const kept: string[] = [];
    // Line by line, so a run cut short by a signal still leaves its log behind.
    const logStream = createWriteStream(o.logFile, { flags: 'a', mode: 0o600 });
    const onLine = (line: string) => {
      const safe = maskText(line.replace(/\x1b\[[0-9;]*m/g, '')); // Rally colours its log lines
      kept.push(safe);
      logStream.write(safe + '\n');
      if (!o.echo || o.echo(safe)) process.stderr.write(`[${label}] ${safe}\n`);
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    const timer = o.timeoutMs ? setTimeout(() => { log(`${label}: no end after ${o.timeoutMs! / 1000} s, stopping it`); try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ } }, o.timeoutMs) : undefined;
    child.on('error', (e) => { clearTimeout(timer); children.delete(child); fail(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      logStream.end();
      done({ code, signal, output: kept.join('\n'), pid: child.pid ?? -1, seconds: (performance.now() - t0) / 1000 });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Rally

function ensureRally(): void {
  const r = spawnSync('bash', [join(ROOT, 'scripts/setup-rally.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    console.error('bench:load: Rally is not available (scripts/setup-rally.sh failed, see above); `--only=ours` runs our side alone');
    process.exit(1);
  }
}

/** The task both sides run: Rally v1 format, constant runner, Rally's default SLA. */
function taskFile(runId: string): string {
  const task: Record<string, unknown[]> = {};
  for (const name of SCENARIOS) {
    // The three run as admin, but rally-openstack adds its users context to every workload
    // (add_default_context("users@openstack", {}): 1 tenant x 1 user when the env has none). Spelled
    // out so our side, which reads the same file, sets up the same tenant and user.
    task[name] = [{
      args: rallyArgsOf(keystoneBasic(name)), runner: { type: 'constant', times: TIMES, concurrency: CONCURRENCY },
      context: { users: { tenants: 1, users_per_tenant: 1 } }, sla: { failure_rate: { max: 0 } },
    }];
  }
  const file = join(RALLY_DIR, `task-${runId}.json`);
  writeFileSync(file, JSON.stringify(task, null, 2) + '\n');
  return file;
}

/** Rally's environment from the OS_* variables (`rally env create --from-sysenv`), as FACTS.md found it works. */
function rallyEnv(info: ClusterInfo): NodeJS.ProcessEnv {
  const a = info.admin;
  const r = info.regions[0]!;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: join(RALLY_DIR, 'home'),
    OS_AUTH_URL: `${r.baseUrl.replace(/\/+$/, '')}/v3`,
    OS_USERNAME: a.username,
    OS_PASSWORD: a.password,
    OS_PROJECT_NAME: a.projectName ?? 'admin',
    OS_USER_DOMAIN_NAME: a.userDomainName ?? 'Default',
    OS_PROJECT_DOMAIN_NAME: a.projectDomainName ?? 'Default',
    OS_IDENTITY_API_VERSION: '3',
    OS_INTERFACE: 'public',
    OS_REGION_NAME: r.region || 'RegionOne',
  };
  if (process.env[TLS_CA_FILE_ENV]) env.OS_CACERT = process.env[TLS_CA_FILE_ENV];
  if (process.env[TLS_INSECURE_ENV] === '1') env.OS_INSECURE = 'true';
  return env;
}

/**
 * What of Rally's output is echoed (all of it goes to the log file): headers, results tables and the
 * first line of each warning or error; not one line per iteration, tracebacks, the task and
 * workload configs Rally dumps as JSON, or SQLAlchemy's deprecation warnings.
 */
function rallyEchoes(line: string): boolean {
  if (line.trim() === '') return false;
  const record = /^\d{4}-\d\d-\d\d [\d:.]+ \d+ ([A-Z]+) /.exec(line);
  if (record) return (record[1] === 'ERROR' || record[1] === 'WARNING' || record[1] === 'CRITICAL') && line.includes(' [-] ');
  if (/SAWarning|^\s+uuid=workload_uuid\)/.test(line)) return false;
  return !/^\s*[{}[\]]|^\s+"|^\s+(position|config) = /.test(line);
}

interface RallySide {
  workloads: RallyWorkloadFigures[];
  /** Per workload (by scenario): CPU seconds and peak tree RSS inside its load window, from /proc samples. */
  window: Map<string, { cpuS: number; peakRssBytes: number }>;
  /** The whole `rally task start` tree: from /usr/bin/time (getrusage of the waited tree) when present, else the /proc samples. */
  total: { cpuS: number; cpuSource: string; wallS: number; peakTreeRssBytes: number; maxProcessRssBytes: number | null };
  taskUuid: string;
  exitCode: number | null;
  sampleCount: number;
  /** rally-openstack's users context looks for Neutron on clean-up and fails without it, leaving its tenant and user. */
  usersCleanupFailed: boolean;
}

async function runRally(info: ClusterInfo, runId: string, logFile: string): Promise<RallySide> {
  mkdirSync(join(RALLY_DIR, 'home'), { recursive: true });
  // Debian's /etc/rally/rally.conf has a broken connection line: a config of our own, one database per run.
  const db = join(RALLY_DIR, 'rally.db');
  rmSync(db, { force: true });
  const conf = join(RALLY_DIR, 'rally.conf');
  writeFileSync(conf, `[database]\nconnection = sqlite:///${db}\n`);
  const env = rallyEnv(info);
  // Set-up and report commands: output to the log file only (the env's spec holds the password; masked anyway).
  const must = async (what: string, args: string[]) => {
    const r = await run('rally', 'rally', ['--config-file', conf, ...args], { env, logFile, echo: () => false });
    if (r.code !== 0) throw new Error(`rally ${what} failed (exit ${r.code ?? r.signal}): ${r.output.split('\n').filter(Boolean).slice(-5).join(' | ')}`);
    return r;
  };
  await must('db create', ['db', 'create']);
  await must('env create', ['env', 'create', '--from-sysenv', '--name', `ksrally-${runId}`]);
  const task = taskFile(runId);

  // Whole-tree CPU: GNU time's getrusage of the waited child covers every process Rally forked and waited for.
  const timeFile = join(RALLY_DIR, `time-${runId}.txt`);
  rmSync(timeFile, { force: true });
  const useTime = existsSync('/usr/bin/time');
  const argv = ['--config-file', conf, 'task', 'start', '--task', task];
  let sampler: ProcTreeSampler | undefined;
  log(`rally task start: ${SCENARIOS.length} workloads, constant ${TIMES} x ${CONCURRENCY} (Rally's per-iteration lines go to ${logFile})`);
  const started = await run('rally', useTime ? '/usr/bin/time' : 'rally', useTime ? ['-f', '%U %S %M %e', '-o', timeFile, 'rally', ...argv] : argv, {
    env, logFile, timeoutMs: RALLY_TIMEOUT_MS,
    echo: rallyEchoes,
    onSpawn: (pid) => { sampler = new ProcTreeSampler(pid, 500).start(); },
  });
  sampler?.stop();
  const samples = sampler?.samples ?? [];
  const taskUuid = rallyTaskUuid(started.output);
  if (!taskUuid) throw new Error(`rally task start printed no task UUID (exit ${started.code ?? started.signal})`);

  const reportFile = join(RALLY_DIR, `report-${runId}.json`);
  await must('task report --json', ['task', 'report', '--json', '--uuid', taskUuid, '--out', reportFile]);
  const workloads = parseRallyJsonReport(JSON.parse(readFileSync(reportFile, 'utf8')));

  const window = new Map<string, { cpuS: number; peakRssBytes: number }>();
  for (const w of workloads) {
    if (!w.iterations) continue;
    window.set(w.scenario, { cpuS: cpuBetween(samples, w.loadStartMs, w.loadEndMs), peakRssBytes: peakRssBetween(samples, w.loadStartMs, w.loadEndMs) });
  }
  const sampledCpu = samples.length ? samples[samples.length - 1]!.cpuS : 0;
  const timed = useTime && existsSync(timeFile) ? /^([\d.]+) ([\d.]+) (\d+) ([\d.:]+)\s*$/m.exec(readFileSync(timeFile, 'utf8')) : null;
  return {
    workloads, window, taskUuid, exitCode: started.code, sampleCount: samples.length,
    usersCleanupFailed: /Context users@openstack cleanup\(\) failed/.test(started.output),
    total: {
      cpuS: timed ? Number(timed[1]) + Number(timed[2]) : sampledCpu,
      cpuSource: timed ? '/usr/bin/time (getrusage of the waited tree: rally and every worker it forked)' : '/proc samples of the tree every 500 ms',
      wallS: started.seconds,
      peakTreeRssBytes: samples.reduce((m, s) => Math.max(m, s.rssBytes), 0),
      maxProcessRssBytes: timed ? Number(timed[3]) * 1024 : null,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Ours: the same task file's workloads through lib/load, one after the other, in this process.

interface OurWorkload { scenario: string; iterations: number; failures: number; durationsMs: number[]; wallS: number; cpuS: number; peakRssBytes: number; atomics: { name: string; durationsMs: number[] }[]; errors: string[] }

async function runOurs(info: ClusterInfo, taskPath: string, prefix: string, requestTimeoutMs: number): Promise<OurWorkload[]> {
  const http = new KeystoneHttp(info.regions[0]!.baseUrl, requestTimeoutMs);
  const session = new PasswordSession(http, info.admin);
  const admin = new Keystone(http, () => session.getToken());
  await session.getToken(); // the admin token used for validation is not part of the measurement
  const out: OurWorkload[] = [];
  for (const w of readRallyTask(taskPath)) {
    if (w.runner.type !== 'constant') throw new Error(`${w.key}: the bench writes constant runners only`);
    const context = new ScenarioContext(admin, { prefix, tenants: w.users?.tenants ?? 0, usersPerTenant: w.users?.usersPerTenant ?? 1 });
    try {
      await context.setup();
      log(`ours: ${w.key}, constant ${w.runner.times} x ${w.runner.concurrency}`);
      let peakRss = process.memoryUsage.rss();
      // memoryUsage.rss() is the cheap form: the sampler must not inflate the CPU it helps measure.
      const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()); }, 250);
      const cpu0 = process.cpuUsage();
      const result = await constant(w.scenario.make({ admin, adminCredentials: info.admin, context }, w.args), { times: w.runner.times, concurrency: w.runner.concurrency });
      const cpu = process.cpuUsage(cpu0);
      clearInterval(sampler);
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      const atomics = new Map<string, number[]>();
      for (const r of result.iterations) {
        const merged = new Map<string, number>();
        for (const a of r.atomics) merged.set(a.name, (merged.get(a.name) ?? 0) + a.durationMs);
        for (const [name, ms] of merged) atomics.set(name, [...(atomics.get(name) ?? []), ms]);
      }
      out.push({
        scenario: w.scenario.name,
        iterations: result.iterations.length,
        failures: result.iterations.filter((r) => r.error).length,
        // Rally's table counts every iteration, failed ones with their time-to-failure: so does this one.
        durationsMs: result.iterations.map((r) => r.durationMs),
        wallS: result.wallMs / 1000,
        cpuS: (cpu.user + cpu.system) / 1e6,
        peakRssBytes: peakRss,
        atomics: [...atomics].map(([name, durationsMs]) => ({ name, durationsMs })),
        errors: [...new Set(result.iterations.filter((r) => r.error).map((r) => `${r.error!.kind}: ${r.error!.message.split('\n')[0]!.slice(0, 160)}`))],
      });
    } finally {
      const failures = await context.cleanup();
      if (failures.length) log(`ours: cleanup failed: ${maskText(failures.join('; '))}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Main

const only = readOnly(process.argv.slice(2));
if (only !== 'ours') ensureRally();
const settings = readSettings();
const runId = newRunId();
let embedded: EmbeddedCluster | undefined;

// Ctrl-C or a CI cancel, even during bring-up: end Rally's tree, then remove the run's containers.
removeRunsOnSignal(() => (settings.target !== 'external' ? [runId] : []), { what: 'stopping Rally', before: killChildren, log });

mkdirSync(RALLY_DIR, { recursive: true });
chmodSync(RALLY_DIR, 0o700); // rally.db holds the environment's spec, admin password included
const logFile = join(RALLY_DIR, `rally-${runId}.log`);
let info: ClusterInfo | undefined;
let rally: RallySide | undefined;
let ours: OurWorkload[] | undefined;
const problems: string[] = [];
const t0 = performance.now();
const phases: Record<string, number> = {};
try {
  if (settings.target === 'external') {
    // A shared target can take far longer than the suite's 8 s for one token; the bench waits.
    info = await connectExternal(process.env, 120_000);
  } else {
    log('starting one embedded stock Keystone for both sides (needs `npm run setup` once)');
    embedded = await startEmbedded(settings, runId);
    info = embedded.info;
  }
  registerSecret(info.admin.password);
  phases.bringUpS = (performance.now() - t0) / 1000;
  const task = taskFile(runId);
  if (only !== 'ours') {
    const t = performance.now();
    try { rally = await runRally(info, runId, logFile); } catch (e) { problems.push(`rally: ${maskText((e as Error).message)}`); }
    phases.rallyS = (performance.now() - t) / 1000;
  }
  if (only !== 'rally') {
    const t = performance.now();
    try { ours = await runOurs(info, task, settings.resourcePrefix, settings.requestTimeoutMs); } catch (e) { problems.push(`ours: ${maskText((e as Error).message)}`); }
    phases.oursS = (performance.now() - t) / 1000;
  }
} catch (e) {
  problems.push(`bring-up: ${maskText((e as Error).message)}`);
} finally {
  await closeAllPools();
  if (embedded) {
    const t = performance.now();
    await embedded.stop();
    phases.teardownS = (performance.now() - t) / 1000;
  } else if (settings.target !== 'external') {
    removeRun(runId);
  }
}
phases.totalS = (performance.now() - t0) / 1000;

// ---------------------------------------------------------------------------------------------
// Figures

interface SideFigures {
  iterations: number; failures: number; loadDurationS: number; itPerSec: number;
  /** Seconds, Rally's interpolated percentiles over every iteration's duration. */
  durationS: RallyPercentiles;
  cpuS: number | null; cpuSPer1000: number | null; peakRssMb: number | null;
  atomics: { name: string; p50S: number | null; p95S: number | null }[];
  errors: string[];
}

const sec = (ms: readonly number[]) => ms.map((v) => v / 1000);
const atomicRows = (a: { name: string; durationsMs: number[] }[]) => a.map((x) => { const p = rallyPercentiles(sec(x.durationsMs)); return { name: x.name, p50S: p.p50, p95S: p.p95 }; });

function rallyFigures(w: RallyWorkloadFigures, side: RallySide): SideFigures {
  const win = side.window.get(w.scenario);
  const ok = w.iterations - w.failures;
  return {
    iterations: w.iterations, failures: w.failures, loadDurationS: w.loadDurationS, itPerSec: w.loadDurationS > 0 ? ok / w.loadDurationS : 0,
    durationS: rallyPercentiles(sec(w.durationsMs)),
    cpuS: win?.cpuS ?? null, cpuSPer1000: win && w.iterations ? (win.cpuS / w.iterations) * 1000 : null,
    peakRssMb: win ? win.peakRssBytes / 2 ** 20 : null,
    atomics: atomicRows(w.atomics), errors: w.errors.map(maskText),
  };
}

function ourFigures(w: OurWorkload): SideFigures {
  const ok = w.iterations - w.failures;
  return {
    iterations: w.iterations, failures: w.failures, loadDurationS: w.wallS, itPerSec: w.wallS > 0 ? ok / w.wallS : 0,
    durationS: rallyPercentiles(sec(w.durationsMs)),
    cpuS: w.cpuS, cpuSPer1000: w.iterations ? (w.cpuS / w.iterations) * 1000 : null, peakRssMb: w.peakRssBytes / 2 ** 20,
    atomics: atomicRows(w.atomics), errors: w.errors.map(maskText),
  };
}

const ratio = (a: number | null | undefined, b: number | null | undefined) => (a == null || b == null || b === 0 ? null : a / b);
const rows = SCENARIOS.map((scenario) => {
  const rw = rally?.workloads.find((w) => w.scenario === scenario);
  const ow = ours?.find((w) => w.scenario === scenario);
  const r = rw && rally ? rallyFigures(rw, rally) : undefined;
  const o = ow ? ourFigures(ow) : undefined;
  return { scenario, rally: r, ours: o, ratios: { throughput: ratio(o?.itPerSec, r?.itPerSec), cpuPerIteration: ratio(o?.cpuSPer1000, r?.cpuSPer1000) } };
});

const rallyIterations = rally?.workloads.reduce((n, w) => n + w.iterations, 0) ?? 0;
const report = {
  generatedAt: new Date().toISOString(),
  runId,
  target: info ? { target: info.target, keystoneVariant: info.keystoneVariant, backend: info.backend, databaseIsolation: info.databaseIsolation ?? null, uwsgiProcesses: info.target === 'embedded' ? settings.uwsgiProcesses : null, passwordHashRounds: info.target === 'embedded' ? settings.passwordHashRounds : null } : null,
  runner: { type: 'constant', times: TIMES, concurrency: CONCURRENCY },
  method: {
    order: 'Rally first, then ours, against the same Keystone; one scenario at a time on each side',
    throughput: 'successful iterations / load duration (Rally: its load_duration, first iteration start to last end; ours: the runner\'s wall time)',
    percentiles: 'Rally\'s interpolated percentile (rally/task/processing/utils.py, numpy "linear") over every iteration\'s duration, failed ones included, as Rally\'s own table does',
    rallyCpu: 'per scenario: CPU of the whole `rally task start` process tree inside that workload\'s load window, from /proc/<pid>/stat sampled every 500 ms (utime+stime+cutime+cstime of every live process in the tree); whole run: ' + (rally?.total.cpuSource ?? 'n/a'),
    oursCpu: 'process.cpuUsage() of this process over the runner loop of that scenario (set-up and clean-up excluded)',
    rss: 'Rally: peak of the summed RSS of its process tree inside the load window (/proc samples); ours: peak RSS of this process during the loop (sampled every 250 ms)',
  },
  scenarios: rows,
  rallyWholeRun: rally ? {
    taskUuid: rally.taskUuid, exitCode: rally.exitCode, wallS: rally.total.wallS, cpuS: rally.total.cpuS, cpuSource: rally.total.cpuSource,
    cpuSPer1000Iterations: rallyIterations ? (rally.total.cpuS / rallyIterations) * 1000 : null,
    peakTreeRssMb: rally.total.peakTreeRssBytes / 2 ** 20, maxProcessRssMb: rally.total.maxProcessRssBytes === null ? null : rally.total.maxProcessRssBytes / 2 ** 20,
    procSamples: rally.sampleCount, usersContextCleanupFailed: rally.usersCleanupFailed,
  } : null,
  phasesS: phases,
  problems,
};
mkdirSync(resolve(OUT_FILE, '..'), { recursive: true });
writeFileSync(OUT_FILE, maskText(JSON.stringify(report, null, 2)) + '\n');

const f = (v: number | null | undefined, d: number, w: number) => (v == null || !Number.isFinite(v) ? 'n/a'.padStart(w) : v.toFixed(d).padStart(w));
console.log(`\nload benchmark: real Rally 3.3 (rally task start) and our driver (lib/load), same task file, same Keystone, one after the other`);
if (info) {
  const dep = info.target === 'embedded' ? `, ${settings.uwsgiProcesses} uwsgi processes, password_hash_rounds ${settings.passwordHashRounds}` : '';
  console.log(`  keystone: ${info.target} ${info.keystoneVariant}, ${info.backend}${info.databaseIsolation ? ` ${info.databaseIsolation}` : ''}${dep}`);
}
console.log(`  runner: constant, ${TIMES} iterations at concurrency ${CONCURRENCY}, per scenario and side`);
console.log(`\n${'scenario / side'.padEnd(44)} ${'ok/n'.padStart(7)} ${'it/s'.padStart(6)} ${'p50 s'.padStart(6)} ${'p95 s'.padStart(6)} ${'p99 s'.padStart(6)} ${'CPU s/1k it'.padStart(11)} ${'RSS MB'.padStart(7)}`);
for (const r of rows) {
  console.log(r.scenario);
  for (const [who, s] of [['  Rally 3.3', r.rally], ['  ours', r.ours]] as const) {
    if (!s) { console.log(`${who.padEnd(44)} ${'not run'.padStart(7)}`); continue; }
    console.log(`${who.padEnd(44)} ${`${s.iterations - s.failures}/${s.iterations}`.padStart(7)} ${f(s.itPerSec, 3, 6)} ${f(s.durationS.p50, 2, 6)} ${f(s.durationS.p95, 2, 6)} ${f(s.durationS.p99, 2, 6)} ${f(s.cpuSPer1000, 1, 11)} ${f(s.peakRssMb, 0, 7)}`);
  }
  const x = (v: number | null, d: number, w: number) => (v === null ? `${'n/a'.padStart(w)} ` : `${f(v, d, w)}x`);
  console.log(`${'  ours/Rally'.padEnd(44)} ${''.padStart(7)} ${x(r.ratios.throughput, 2, 6)}${''.padStart(20)} ${x(r.ratios.cpuPerIteration, 3, 11)}`);
}
console.log('\nper atomic action, p50 / p95 s (Rally | ours):');
for (const r of rows) {
  const names = [...new Set([...(r.rally?.atomics ?? []), ...(r.ours?.atomics ?? [])].map((a) => a.name))];
  for (const n of names) {
    const a = r.rally?.atomics.find((x) => x.name === n);
    const b = r.ours?.atomics.find((x) => x.name === n);
    console.log(`  ${r.scenario.replace('KeystoneBasic.', '').padEnd(38)} ${n.padEnd(28)} ${f(a?.p50S, 2, 6)} / ${f(a?.p95S, 2, 6)} | ${f(b?.p50S, 2, 6)} / ${f(b?.p95S, 2, 6)}`);
  }
  for (const [who, s] of [['Rally', r.rally], ['ours', r.ours]] as const) for (const e of s?.errors ?? []) console.log(`  ${r.scenario.replace('KeystoneBasic.', '')}: ${who} error ${e}`);
}
if (report.rallyWholeRun) {
  const w = report.rallyWholeRun;
  console.log(`\nRally's whole \`rally task start\` (start-up, ${SCENARIOS.length} workloads with their contexts and clean-up, results): ${w.wallS.toFixed(1)} s wall, ${w.cpuS.toFixed(1)} s CPU (${f(w.cpuSPer1000Iterations, 1, 0)} s per 1,000 iterations), peak tree RSS ${w.peakTreeRssMb.toFixed(0)} MB, largest process ${f(w.maxProcessRssMb, 0, 0)} MB; exit ${w.exitCode}; task ${w.taskUuid}`);
}
console.log('Rally CPU per scenario: its process tree inside the workload\'s load window, /proc sampled every 500 ms; whole run: ' + (rally?.total.cpuSource ?? 'n/a') + '.');
console.log('Ours: process.cpuUsage() over the runner loop. Percentiles: Rally\'s interpolation (numpy linear) on both sides\' raw iteration durations.');
console.log('Rally builds new OpenStack clients in every iteration, so each of its iterations also authenticates its admin (one more password auth for Keystone); ours reuses one admin token.');
if (rally?.usersCleanupFailed) {
  console.log(`Rally's users context could not clean up (rally-openstack looks for a Neutron endpoint, which a Keystone-only cloud lacks): its tenant and user per workload ${info?.target === 'external' ? 'remain on the target (names s_rally_*)' : 'went with the embedded cluster'}.`);
}
console.log(`timings: ${Object.entries(phases).map(([k, v]) => `${k.replace(/S$/, '')} ${v.toFixed(1)} s`).join(', ')}`);
console.log(`figures: ${OUT_FILE}`);
for (const p of problems) console.log(`problem: ${p}`);
process.exit(problems.length || (only !== 'ours' && !rally) || (only !== 'rally' && !ours) ? 1 : 0);
