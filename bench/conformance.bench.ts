// Issue #3: wall time of real Tempest's identity API tests (tempest.api.identity plus
// keystone-tempest-plugin's API tests) next to our conformance project, both run one after the
// other against the SAME embedded stock Keystone, with the same worker count. Prints figures; the
// exit code only says whether both runners produced them, not whether their tests passed.
//
//   npm run bench:conformance                                    # full run (long: our half alone took 37-46 min on 2 cores)
//   npm run bench:conformance -- --only=tempest|ours|both        # default both
//   npm run bench:conformance -- --regex='^tempest\.api\.identity\.v3\.test_tokens' --grep='@groups.*@slice'
// --regex overrides the Tempest selection, --grep is handed to Playwright. KS_WORKERS (default 2)
// sets both Tempest's --concurrency and Playwright's workers.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { newRunId, startEmbedded, type EmbeddedCluster } from '../lib/cluster/embedded.js';
import type { ClusterInfo } from '../lib/cluster/cluster-info.js';
import { removeRun } from '../lib/cluster/ownership.js';
import { removeRunsOnSignal } from '../lib/cluster/run-cleanup.js';
import { ConfigError, intSetting, readSettings, type Settings } from '../lib/config/settings.js';
import { closeAllPools } from '../lib/keystone/http.js';
import { maskText, registerSecret } from '../lib/keystone/mask.js';
import { buildCoverageReport, type ExercisedRequest } from '../lib/coverage/coverage-report.js';
import { API_REF_OPERATIONS } from '../lib/coverage/operations.js';
import { parseTempestRequestLog } from '../lib/coverage/tempest-request-log.js';
import { readJsonlDir } from '../reports/jsonl-dir.js';
import { describeCpu, sampleCpu, type CpuSample } from '../lib/cluster/cpu-usage.js';
import { keystoneContainerIds } from '../lib/cluster/cluster-info.js';
import { supportProjects } from '../lib/config/cli-projects.js';
import config from '../playwright.config.js';

interface JsonSuite { specs?: { tests: { projectName: string; status: string }[] }[]; suites?: JsonSuite[] }

const ROOT = process.cwd();
const OUT = resolve(ROOT, '.cache/bench-conformance');
const TEMPEST_DIR = resolve(ROOT, '.cache/tempest');
/** Tempest keeps a workspace registry in ~/.tempest by default; this one stays inside the repo's cache. */
const TEMPEST_REGISTRY = resolve(ROOT, '.cache/tempest-workspace.yaml');
const DEFAULT_REGEX = '^(tempest\\.api\\.identity|keystone_tempest_plugin\\.tests\\.api)';

const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
/** Problems that do not void a side's figures (printed with the others at the end). */
const problemsSeen: string[] = [];

// ---------------------------------------------------------------------------------------------
// Arguments

type Only = 'tempest' | 'ours' | 'both';
interface Options { only: Only; regex: string; grep?: string; workers: number }

function readOptions(argv: string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: { only: { type: 'string', default: 'both' }, regex: { type: 'string', default: DEFAULT_REGEX }, grep: { type: 'string' } } }));
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}: use --only=tempest|ours|both, --regex=<tempest regex>, --grep=<playwright grep>`);
  }
  const only = values.only;
  if (only !== 'tempest' && only !== 'ours' && only !== 'both') throw new ConfigError(`--only=${only}: tempest, ours or both`);
  if (!values.regex) throw new ConfigError('--regex= needs a tempest regex');
  return { only, regex: values.regex, grep: values.grep || undefined, workers: intSetting('KS_WORKERS', 2, 1, 64) };
}

/**
 * The bench always brings up its own embedded, stock Keystone: a sourced dev-cluster env
 * (KS_TARGET=external) must not redirect it, and a patched image would not be the stock baseline.
 */
function benchSettings(): Settings {
  if (process.env.KS_KEYSTONE_PATCH || process.env.KS_KEYSTONE_IMAGE) {
    throw new ConfigError('bench:conformance measures stock Keystone: unset KS_KEYSTONE_PATCH and KS_KEYSTONE_IMAGE');
  }
  const env = { ...process.env };
  delete env.KS_TARGET;
  return { ...readSettings(env), target: 'embedded' };
}

// ---------------------------------------------------------------------------------------------
// Child processes: own process group each, so a signal can end the whole tree (stestr workers,
// Playwright workers) and nothing else.

const children = new Set<ChildProcess>();

interface RunResult { code: number | null; signal: NodeJS.Signals | null; seconds: number; output: string }

/** Runs a command, streams its masked output to stderr, and returns it (masked) with the wall time. */
function run(label: string, cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; keepOutput: boolean; quiet?: boolean }): Promise<RunResult> {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const kept: string[] = [];
    const onLine = (line: string) => {
      const safe = maskText(line);
      if (opts.keepOutput) kept.push(safe);
      if (!opts.quiet) process.stderr.write(`[${label}] ${safe}\n`);
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.on('error', (e) => { children.delete(child); fail(e); });
    child.on('close', (code, signal) => {
      children.delete(child);
      done({ code, signal, seconds: (performance.now() - t0) / 1000, output: kept.join('\n') });
    });
  });
}

function killChildren(): void {
  for (const c of children) {
    try { process.kill(-c.pid!, 'SIGTERM'); } catch { /* already gone */ }
  }
}

// ---------------------------------------------------------------------------------------------
// Tempest

interface TempestFigures extends Traffic { selected: number; ran: number; passed: number; failed: number; skipped: number; reportedSeconds: number }

/** What a side sent and what of the api-ref it reached, counted alike for both (lib/coverage). */
interface Traffic { requests: number; covered: number; apiRefTotal: number }

function traffic(requests: readonly ExercisedRequest[], extra = 0): Traffic {
  const report = buildCoverageReport(API_REF_OPERATIONS, requests);
  return { requests: requests.length + extra, covered: report.covered, apiRefTotal: report.total };
}

function ensureTempest(): void {
  const r = spawnSync('bash', [join(ROOT, 'scripts/setup-tempest.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error('scripts/setup-tempest.sh failed: Tempest is not available');
}

function ensureWorkspace(): void {
  if (existsSync(join(TEMPEST_DIR, '.stestr.conf'))) return;
  mkdirSync(resolve(TEMPEST_DIR, '..'), { recursive: true });
  const r = spawnSync('tempest', ['init', '--name', 'ks-gate-bench', '--workspace-path', TEMPEST_REGISTRY, TEMPEST_DIR], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tempest init failed: ${maskText(r.stderr || r.stdout)}`);
}

/**
 * tempest.conf for Keystone Zed as the embedded image configures it (lib/cluster/images/keystone/
 * entrypoint.sh). Only a public identity endpoint exists (bootstrap gets only a public URL), so
 * v3_endpoint_type must be public: Tempest 33 still defaults to adminURL.
 */
function tempestConf(info: ClusterInfo, settings: Settings): string {
  const a = info.admin;
  const r = info.regions[0]!;
  const lines = [
    '[DEFAULT]',
    `log_dir = ${join(TEMPEST_DIR, 'logs')}`,
    'log_file = tempest.log',
    '',
    '[oslo_concurrency]',
    `lock_path = ${join(TEMPEST_DIR, 'tempest_lock')}`,
    '',
    '[auth]',
    'use_dynamic_credentials = true',
    'create_isolated_networks = false',
    `admin_username = ${a.username}`,
    `admin_password = ${a.password}`,
    `admin_project_name = ${a.projectName ?? 'admin'}`,
    `admin_domain_name = ${a.userDomainName ?? 'Default'}`,
    `admin_user_domain_name = ${a.userDomainName ?? 'Default'}`,
    `admin_project_domain_name = ${a.projectDomainName ?? 'Default'}`,
    '',
    '[identity]',
    `uri_v3 = ${r.baseUrl}/v3`,
    'auth_version = v3',
    `region = ${r.region}`,
    'v3_endpoint_type = public',
    '',
    '[identity-feature-enabled]',
    'api_v2 = false',
    'api_v3 = true',
    'trust = true',
    'application_credentials = true',
    // Access rules for application credentials exist since Train; Tempest defaults them off.
    'access_rules = true',
    'project_tags = true',
    // Mirrors keystone.conf [identity] domain_specific_drivers_enabled = true (list tests then filter by domain).
    'domain_specific_drivers = true',
    // No [security_compliance] lockout/password-history settings in the image.
    'security_compliance = false',
    // keystone-tempest-plugin: Zed serves the OS-FEDERATION API; only its scenario tests (not
    // selected) need an external IdP. OS-OAUTH1 has no flag in Tempest 33: its tests always run.
    'federation = true',
    'external_idp = false',
    `enforce_scope = ${settings.enforceScope}`,
    '',
    '[enforce_scope]',
    `keystone = ${settings.enforceScope}`,
    '',
    '[service_available]',
    ...['nova', 'neutron', 'glance', 'cinder', 'swift', 'horizon'].map((s) => `${s} = false`),
    '',
  ];
  return lines.join('\n');
}

/** Tempest's logging: one file all stestr workers append to (see runTempest). */
const TEMPEST_LOGGING_CONF = [
  '[loggers]', 'keys=root', '', '[handlers]', 'keys=file', '', '[formatters]', 'keys=plain', '',
  '[logger_root]', 'level=INFO', 'handlers=file', '',
  '[handler_file]', 'class=FileHandler', 'level=INFO', "args=('tempest.log', 'a')", 'formatter=plain', '',
  '[formatter_plain]', 'format=%(asctime)s %(process)d %(levelname)s %(name)s %(message)s', '',
].join('\n');

/** Test ids `tempest run --list-tests` printed: dotted names, one a line, nothing else. */
function countListed(output: string): number {
  return output.split('\n').filter((l) => /^[A-Za-z_][\w.]*\.[\w]+(\[[^\]]*\])?$/.test(l.trim())).length;
}

/** stestr's closing block: "Ran: N tests in X sec." then " - Passed: N", " - Skipped: N", " - Failed: N". */
function parseStestrTotals(output: string): Omit<TempestFigures, 'selected' | keyof Traffic> | undefined {
  const ran = /Ran: (\d+) tests? in ([\d.]+) sec/.exec(output);
  if (!ran) return undefined;
  const n = (label: string) => Number(new RegExp(` - ${label}: (\\d+)`).exec(output)?.[1] ?? 0);
  return {
    ran: Number(ran[1]), reportedSeconds: Number(ran[2]),
    passed: n('Passed'), skipped: n('Skipped'), failed: n('Failed') + n('Unexpected Success'),
  };
}

async function runTempest(info: ClusterInfo, settings: Settings, opts: Options): Promise<{ wall: number; figures: TempestFigures }> {
  ensureTempest();
  ensureWorkspace();
  // It carries the admin password; `tempest init` created it 0644 and writeFileSync keeps an existing mode.
  const conf = join(TEMPEST_DIR, 'etc/tempest.conf');
  writeFileSync(conf, tempestConf(info, settings), { mode: 0o600 });
  chmodSync(conf, 0o600);
  // stestr starts its workers with $PYTHON; another python3 earlier in PATH cannot import Tempest.
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHON: '/usr/bin/python3' };
  const list = await run('tempest --list-tests', 'tempest', ['run', '--list-tests', '--regex', opts.regex], { cwd: TEMPEST_DIR, env, keepOutput: true, quiet: true });
  const selected = countListed(list.output);
  if (list.code !== 0 || selected === 0) throw new Error(`tempest --list-tests selected no test for --regex '${opts.regex}' (exit ${list.code}): ${list.output.split('\n').slice(-5).join(' | ')}`);
  log(`tempest: ${selected} test(s) selected by '${opts.regex}'`);
  // Its request log (one INFO line per answered request) is counted after the run: start it empty.
  // Tempest loads etc/logging.conf when present; the one `tempest init` writes opens tempest.log
  // with 'w+' in every stestr worker, so each worker truncated the others' lines (measured: 10 of
  // one worker's requests survived). Append mode, INFO and above: every request line, no bodies.
  writeFileSync(join(TEMPEST_DIR, 'etc/logging.conf'), TEMPEST_LOGGING_CONF);
  const logFile = join(TEMPEST_DIR, 'tempest.log');
  rmSync(logFile, { force: true });
  const r = await run('tempest', 'tempest', ['run', '--regex', opts.regex, '--concurrency', String(opts.workers)], { cwd: TEMPEST_DIR, env, keepOutput: true });
  const totals = parseStestrTotals(r.output);
  if (!totals) throw new Error(`tempest run ended (exit ${r.code ?? r.signal}) without stestr totals; see the output above, or \`stestr last\` in ${TEMPEST_DIR}`);
  const sent = existsSync(logFile) ? parseTempestRequestLog(readFileSync(logFile, 'utf8')) : [];
  // No request line: the wall time still stands, the traffic figures are said to be missing.
  if (!sent.length) problemsSeen.push(`tempest: ${logFile} holds no request line: its requests and covered operations were not counted`);
  return { wall: r.seconds, figures: { selected, ...totals, ...traffic(sent) } };
}

// ---------------------------------------------------------------------------------------------
// Our conformance project

interface OurFigures extends Traffic { total: number; passed: number; failed: number; flaky: number; skipped: number; globalErrors: number; reportedSeconds: number; readBacks: number }

/** Our suite reaches the same Keystone as an external target, exactly as with the dev-cluster env. */
function externalEnv(info: ClusterInfo, settings: Settings, workers: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // Any OS_* from the caller's shell (OS_CLOUD wins over OS_AUTH_URL) would point elsewhere.
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OS_')) env[k] = v;
  const r = info.regions[0]!;
  Object.assign(env, {
    // The conformance project caps its own workers (KS_CONFORMANCE_WORKERS, default 1): without
    // this, ours ran one test at a time while Tempest ran `workers` at once.
    KS_TARGET: 'external', KS_BACKEND: settings.backend, KS_WORKERS: String(workers), KS_CONFORMANCE_WORKERS: String(workers),
    OS_AUTH_URL: `${r.baseUrl}/v3`, OS_USERNAME: info.admin.username, OS_PASSWORD: info.admin.password,
    OS_PROJECT_NAME: info.admin.projectName, OS_USER_DOMAIN_NAME: info.admin.userDomainName ?? 'Default',
    OS_PROJECT_DOMAIN_NAME: info.admin.projectDomainName ?? 'Default', OS_REGION_NAME: r.region,
    KS_KEYSTONE_CONTAINERS: r.keystoneContainer ?? '', KS_DATABASE_CONTAINERS: r.databaseContainer ?? '',
    // The bench's reports stay apart from the gate's (reports/, allure-results/).
    PW_JSON: join(OUT, 'results.json'), PW_JUNIT: join(OUT, 'junit.xml'),
    ALLURE_RESULTS_DIR: join(OUT, 'allure-results'), KS_GATE_FILE: join(OUT, 'gate.json'),
  });
  return env;
}

async function runOurs(info: ClusterInfo, settings: Settings, opts: Options): Promise<{ wall: number; figures: OurFigures }> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const args = ['playwright', 'test', '--project=conformance', ...(opts.grep ? ['--grep', opts.grep] : [])];
  const r = await run('ours', 'npx', args, { cwd: ROOT, env: externalEnv(info, settings, opts.workers), keepOutput: false });
  const file = join(OUT, 'results.json');
  if (!existsSync(file)) throw new Error(`playwright ended (exit ${r.code ?? r.signal}) without ${file}`);
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    stats: { expected: number; unexpected: number; flaky: number; skipped: number; duration: number };
    errors?: unknown[];
    suites: JsonSuite[];
  };
  const { errors } = report;
  // The cluster's setup and teardown are tests of their own projects in the JSON: not conformance tests.
  const stats = { ...report.stats };
  const support = supportProjects((config.projects ?? []).map((p) => ({ ...p, name: p.name! })));
  const walk = (x: JsonSuite): void => {
    for (const t of (x.specs ?? []).flatMap((sp) => sp.tests)) if (support.has(t.projectName) && t.status in stats) stats[t.status as 'expected' | 'unexpected' | 'flaky' | 'skipped']--;
    for (const c of x.suites ?? []) walk(c);
  };
  for (const x of report.suites) walk(x);
  // The tests' request log (every worker's), plus the harness's independent read-backs, which are
  // requests too but cover nothing (the coverage report counts what tests ask).
  const sent = readJsonlDir<ExercisedRequest>(join(ROOT, 'reports/out/requests'));
  const readBacks = readJsonlDir<unknown>(join(ROOT, 'reports/out/read-backs')).length;
  // Where the requests go: the spec files (describe blocks) that send the most, the lever to drive down.
  const byConcern = new Map<string, number>();
  for (const r of sent) { const k = r.testTitle.split(' › ', 1)[0]!; byConcern.set(k, (byConcern.get(k) ?? 0) + 1); }
  topConcerns = [...byConcern].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, n]) => `${k} ${n}`);
  return {
    wall: r.seconds,
    figures: {
      ...traffic(sent, readBacks), readBacks,
      total: stats.expected + stats.unexpected + stats.flaky + stats.skipped,
      passed: stats.expected, failed: stats.unexpected, flaky: stats.flaky, skipped: stats.skipped,
      globalErrors: errors?.length ?? 0, reportedSeconds: stats.duration / 1000,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Main

const opts = readOptions(process.argv.slice(2));
const settings = benchSettings();
const runId = newRunId();
let cluster: EmbeddedCluster | undefined;

// Ctrl-C or a CI cancel, even during bring-up: end our children, then remove the run's containers.
removeRunsOnSignal(() => [runId], { what: 'stopping runners', before: killChildren, log });

/** Where the CPU went while each side ran: Keystone's containers, the database's, and the rest (runner, other work). */
const cpu: { tempest?: string; ours?: string } = {};
let topConcerns: string[] = [];
const cpuNow = (info: ClusterInfo): CpuSample => sampleCpu({
  keystone: keystoneContainerIds(info),
  database: [...new Set(info.regions.map((r) => r.databaseContainer).filter((x): x is string => !!x))],
});
let tempest: Awaited<ReturnType<typeof runTempest>> | undefined;
let ours: Awaited<ReturnType<typeof runOurs>> | undefined;
const problems: string[] = [];
try {
  log(`starting an embedded stock Keystone (${settings.backend}, ${settings.pgIsolation}) for both runners`);
  cluster = await startEmbedded(settings, runId);
  registerSecret(cluster.info.admin.password);
  // Tempest first: its leftovers (it cleans up its own dynamic credentials) cannot trip our leak check.
  if (opts.only !== 'ours') {
    const before = cpuNow(cluster.info);
    try { tempest = await runTempest(cluster.info, settings, opts); } catch (e) { problems.push(`tempest: ${maskText((e as Error).message)}`); }
    cpu.tempest = describeCpu(before, cpuNow(cluster.info)).text;
  }
  if (opts.only !== 'tempest') {
    const before = cpuNow(cluster.info);
    try { ours = await runOurs(cluster.info, settings, opts); } catch (e) { problems.push(`ours: ${maskText((e as Error).message)}`); }
    cpu.ours = describeCpu(before, cpuNow(cluster.info)).text;
  }
} catch (e) {
  problems.push(`bring-up: ${maskText((e as Error).message)}`);
} finally {
  if (cluster) {
    const t = performance.now();
    await cluster.stop();
    log(`cluster removed in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  } else {
    removeRun(runId);
  }
  await closeAllPools();
}

const s = (x: number) => `${x.toFixed(1)} s`;
const perOp = (f: Traffic) => (f.covered ? (f.requests / f.covered).toFixed(1) : 'n/a');
const info = cluster?.info;
console.log('\nconformance benchmark: Tempest identity API tests vs our conformance project, same Keystone, one after the other');
if (info) {
  console.log(`  keystone: ${info.keystoneVariant} (Debian Zed), ${settings.backend} ${info.databaseIsolation ?? ''}, ${settings.uwsgiProcesses} uwsgi processes, password_hash_rounds ${settings.passwordHashRounds} (lowered for speed), enforce_scope ${settings.enforceScope}`);
}
console.log(`  workers: ${opts.workers} each (tempest --concurrency, playwright workers)`);
if (opts.only !== 'ours') {
  console.log(`  tempest: --regex '${opts.regex}'`);
  if (tempest) {
    const f = tempest.figures;
    console.log(`    wall ${s(tempest.wall)} (stestr: ${s(f.reportedSeconds)}); selected ${f.selected}, run ${f.ran}: ${f.passed} passed, ${f.failed} failed, ${f.skipped} skipped`);
    // A class skipped in setUpClass (the identity v2 ones) is one "test" for stestr, however many it holds.
    console.log(`    api-ref operations covered ${f.covered} of ${f.apiRefTotal}; requests sent ${f.requests}; requests per covered operation ${perOp(f)}; ${(f.requests / tempest.wall).toFixed(2)} requests/s`);
    if (cpu.tempest) console.log(`    cpu while it ran: ${cpu.tempest}`);
    if (f.ran < f.selected) console.log(`    (stestr counts a class skipped in setUpClass once: ${f.selected - f.ran} listed test(s) never ran individually)`);
  } else console.log('    no figures (see problems)');
}
if (opts.only !== 'tempest') {
  console.log(`  ours: npx playwright test --project=conformance${opts.grep ? ` --grep '${opts.grep}'` : ''} (KS_TARGET=external)`);
  if (ours) {
    const f = ours.figures;
    console.log(`    wall ${s(ours.wall)} (playwright: ${s(f.reportedSeconds)}); ${f.total} tests: ${f.passed} passed, ${f.failed} failed, ${f.flaky} flaky, ${f.skipped} skipped${f.globalErrors ? `, ${f.globalErrors} global error(s)` : ''}`);
    console.log(`    api-ref operations covered ${f.covered} of ${f.apiRefTotal}; requests sent ${f.requests} (${f.readBacks} of them read-backs); requests per covered operation ${perOp(f)}; ${(f.requests / ours.wall).toFixed(2)} requests/s`);
    if (cpu.ours) console.log(`    cpu while it ran: ${cpu.ours}`);
    if (topConcerns.length) console.log(`    most requests (tests' own, by describe block): ${topConcerns.join(', ')}`);
  } else console.log('    no figures (see problems)');
}
if (tempest && ours) {
  console.log(`  ratio ours/tempest (wall): ${(ours.wall / tempest.wall).toFixed(2)}`);
  console.log(`  ratio ours/tempest (operations covered): ${(ours.figures.covered / Math.max(1, tempest.figures.covered)).toFixed(2)}; (wall per covered operation): ${((ours.wall / Math.max(1, ours.figures.covered)) / (tempest.wall / Math.max(1, tempest.figures.covered))).toFixed(2)}`);
}
for (const p of [...problems, ...problemsSeen]) console.log(`  problem: ${p}`);
process.exit(problems.length ? 1 : 0);
