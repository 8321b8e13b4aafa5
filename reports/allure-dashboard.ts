/**
 * Allure as the gate's dashboard: what goes into allure-results/ besides the tests' own results.
 *
 * - Categories: each failed result carries its gate category as a message prefix (`[contract] ...`,
 *   stamped by the gate reporter from the same decision that writes reports/gate.json), and
 *   categories.json has one Allure category per gate category matching exactly that prefix, so the
 *   Categories tab groups failures the way gate.json does. A known defect (a listed check that
 *   failed as listed: the test passed) is stamped `[known-defect]` and grouped too.
 * - Severity follows the category (a leaked conflict or lost write is critical, a contract
 *   mismatch normal).
 * - Environment: what was gated (Keystone version and variant, backend, isolation, topology,
 *   policy flags, conflict injection), one file per Playwright run merged into
 *   environment.properties; executor.json names the CI and build URL when the CI gives them.
 * - The gate's own summary (verdict, phases, failures by category, leaks, retry coverage, api
 *   coverage, load) as a result of its own, and the verdict as the report's name.
 *
 * Allure 2 matches a category on the status and on `messageRegex` against the whole message
 * (java.util.regex with DOTALL, `matches()`), not on labels: hence the prefix.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FailureCategory } from './verdict.js';
import { htmlPage, type Table } from './charts/html.js';
import { writeAllureRunEntry } from './allure-summary.js';

export type DashboardCategory = FailureCategory | 'known-defect' | 'verdict';
type Severity = 'blocker' | 'critical' | 'normal' | 'minor' | 'trivial';

/** Every category the gate reports, as Allure shows it. Order is the Categories tab's order. */
export const GATE_CATEGORIES: Record<DashboardCategory, { title: string; severity: Severity; statuses: string[] }> = {
  'verdict': { title: 'Gate verdict', severity: 'blocker', statuses: ['failed', 'broken'] },
  'leaked-conflict': { title: 'Leaked conflict (database conflict reached the client)', severity: 'critical', statuses: ['failed', 'broken'] },
  'invariant': { title: 'Invariant broken (lost write, cascade, revocation, ...)', severity: 'critical', statuses: ['failed', 'broken'] },
  'refused-write': { title: 'Acknowledged write refused', severity: 'critical', statuses: ['failed', 'broken'] },
  'rbac': { title: 'RBAC', severity: 'critical', statuses: ['failed', 'broken'] },
  'bad-input-5xx': { title: 'Bad input answered with a 5xx or no response', severity: 'normal', statuses: ['failed', 'broken'] },
  'contract': { title: 'Contract (API behaviour, schema, status)', severity: 'normal', statuses: ['failed', 'broken'] },
  'availability': { title: 'Availability under fault', severity: 'normal', statuses: ['failed', 'broken'] },
  'sla': { title: 'Load SLA', severity: 'minor', statuses: ['failed', 'broken'] },
  'not-judged': { title: 'Not judged (storm provoked no conflict)', severity: 'minor', statuses: ['failed', 'broken'] },
  'not-run': { title: 'Not run (skipped without a reason, or never started)', severity: 'minor', statuses: ['failed', 'broken', 'skipped'] },
  'harness': { title: 'Harness', severity: 'trivial', statuses: ['failed', 'broken'] },
  'known-defect': { title: 'Known defect of the Keystone under test (listed, not a gate failure)', severity: 'trivial', statuses: ['passed', 'failed', 'broken'] },
};

export const prefixOf = (c: DashboardCategory): string => `[${c}] `;
const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

/** categories.json: one category per gate category, matching exactly its message prefix. */
export function allureCategories(): { name: string; messageRegex: string; matchedStatuses: string[] }[] {
  return Object.entries(GATE_CATEGORIES).map(([key, c]) => ({ name: c.title, messageRegex: `${escapeRegex(prefixOf(key as DashboardCategory))}.*`, matchedStatuses: c.statuses }));
}

/** What the gate reporter decided about one test: its failure category, the known defects it showed. */
export interface ResultStamp { category?: DashboardCategory; knownDefects?: string[] }

interface AllureResult {
  name: string; status?: string; start?: number; labels: { name: string; value: string }[];
  statusDetails?: { message?: string; trace?: string; known?: boolean };
}

/** The key the gate reporter and allure-playwright share for a test: Playwright's title path joined by " > ". */
export function resultKey(r: Pick<AllureResult, 'name' | 'labels'>): string | undefined {
  const path = r.labels.find((l) => l.name === 'titlePath')?.value;
  return path === undefined ? undefined : `${path} > ${r.name}`;
}

/**
 * Stamps one result: a failure gets its category's prefix and severity; a passed test that showed a
 * known defect gets the known-defect prefix. Idempotent: a stamped message is left alone.
 */
export function stampResult(r: AllureResult, stamp: ResultStamp): boolean {
  const fits = (c: DashboardCategory | undefined) => c !== undefined && GATE_CATEGORIES[c].statuses.includes(r.status ?? '');
  const category = fits(stamp.category) ? stamp.category : stamp.knownDefects?.length && fits('known-defect') ? 'known-defect' : undefined;
  if (!category) return false;
  const message = r.statusDetails?.message ?? '';
  if (/^\[[a-z0-9-]+\] /.test(message)) return false;
  const text = category === 'known-defect' && r.status === 'passed' ? stamp.knownDefects!.join('\n') : message || (r.status ?? '');
  r.statusDetails = { ...r.statusDetails, message: `${prefixOf(category)}${text}`, ...(category === 'known-defect' ? { known: true } : {}) };
  // The category also as a tag, so the report's filters can select it.
  r.labels = [...r.labels.filter((l) => l.name !== 'severity'), { name: 'severity', value: GATE_CATEGORIES[category].severity }, { name: 'tag', value: `gate:${category}` }];
  return true;
}

/** Stamps the results of `dir` written since `sinceMs` (this run's) whose key has a stamp. Returns how many. */
export function stampResults(dir: string, stamps: ReadonlyMap<string, ResultStamp>, sinceMs: number): number {
  if (!existsSync(dir) || !stamps.size) return 0;
  let n = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('-result.json'))) {
    const file = join(dir, f);
    let r: AllureResult;
    try { r = JSON.parse(readFileSync(file, 'utf8')) as AllureResult; } catch { continue; }
    if ((r.start ?? 0) < sinceMs) continue;
    const key = resultKey(r);
    const stamp = key === undefined ? undefined : stamps.get(key);
    if (stamp && stampResult(r, stamp)) { writeFileSync(file, JSON.stringify(r)); n++; }
  }
  return n;
}

/** What one Playwright run gated, as flat environment entries. */
export interface GatedEnvironment {
  target?: string; backend?: string; keystoneVariant?: string; databaseIsolation?: string; regions?: number;
  keystone?: { packageVersion?: string; apiVersion?: string };
  conflictInjection?: { mode?: string; point?: string } | undefined;
  knownDefects?: string; enforceScope?: boolean;
}

export function environmentEntries(e: GatedEnvironment): Record<string, string> {
  const out: Record<string, string> = {};
  const set = (k: string, v: unknown) => { if (v !== undefined && v !== null && v !== '') out[k] = String(v); };
  set('keystone.version', e.keystone?.packageVersion ? `keystone ${e.keystone.packageVersion}` : undefined);
  set('keystone.api', e.keystone?.apiVersion);
  set('keystone.variant', e.keystoneVariant);
  set('target', e.target);
  set('backend', e.backend);
  set('database.isolation', e.databaseIsolation);
  set('topology', e.regions !== undefined ? `${e.regions} region${e.regions === 1 ? '' : 's'} (${e.backend ?? '?'})` : undefined);
  set('policy.enforce_scope', e.enforceScope === undefined ? undefined : String(e.enforceScope));
  set('policy.enforce_new_defaults', e.enforceScope === undefined ? undefined : String(e.enforceScope));
  set('conflict.injection', e.conflictInjection ? [e.conflictInjection.mode, e.conflictInjection.point].filter(Boolean).join(', ') || 'on' : 'off');
  set('known.defects', e.knownDefects ?? 'none');
  return out;
}

/**
 * Merges the runs of one gate (phases on different clusters) into one set of entries: a value every
 * run shares is shown once, differing ones per run: `postgres (conformance, load); galera (chaos)`.
 */
export function mergeEnvironments(runs: readonly { run: string; entries: Record<string, string> }[]): Record<string, string> {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.entries)))];
  const out: Record<string, string> = {};
  for (const k of keys) {
    const byValue = new Map<string, string[]>();
    for (const r of runs) {
      const v = r.entries[k] ?? 'n/a';
      byValue.set(v, [...(byValue.get(v) ?? []), r.run]);
    }
    out[k] = byValue.size === 1 ? [...byValue.keys()][0]! : [...byValue].map(([v, rs]) => `${v} (${rs.join(', ')})`).join('; ');
  }
  return out;
}

/** Java properties text: keys and values escaped as java.util.Properties reads them. */
export function propertiesText(entries: Record<string, string>): string {
  const esc = (s: string, key: boolean) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(key ? /[=: ]/g : /^ /, (m) => `\\${m}`);
  return Object.entries(entries).map(([k, v]) => `${esc(k, true)}=${esc(v, false)}`).join('\n') + '\n';
}

/** Allure's executor.json from the CI's own variables; a local run names itself local. */
export function executorInfo(env: NodeJS.ProcessEnv, reportName: string): Record<string, unknown> {
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    const url = `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`;
    return {
      name: 'GitHub Actions', type: 'github', url, buildUrl: `${url}/actions/runs/${env.GITHUB_RUN_ID}`,
      buildName: `${env.GITHUB_WORKFLOW ?? 'workflow'} #${env.GITHUB_RUN_NUMBER ?? env.GITHUB_RUN_ID}`, buildOrder: Number(env.GITHUB_RUN_NUMBER) || undefined, reportName,
    };
  }
  if (env.GITLAB_CI === 'true' && env.CI_JOB_URL) {
    return {
      name: 'GitLab CI', type: 'gitlab', url: env.CI_PROJECT_URL, buildUrl: env.CI_JOB_URL,
      buildName: `${env.CI_JOB_NAME ?? 'job'} #${env.CI_PIPELINE_IID ?? env.CI_JOB_ID ?? ''}`.trim(), buildOrder: Number(env.CI_PIPELINE_IID ?? env.CI_JOB_ID) || undefined, reportName,
    };
  }
  if (env.BUILD_URL) {
    return { name: env.JENKINS_URL ? 'Jenkins' : 'CI', type: env.JENKINS_URL ? 'jenkins' : 'generic', url: env.JENKINS_URL, buildUrl: env.BUILD_URL, buildName: `${env.JOB_NAME ?? 'build'} #${env.BUILD_NUMBER ?? ''}`.trim(), buildOrder: Number(env.BUILD_NUMBER) || undefined, reportName };
  }
  return { name: 'local', type: 'local', reportName };
}

/** The file each Playwright run leaves in allure-results (allure ignores it), merged at report time. */
export const ENV_FILE_PREFIX = 'ks-environment-';

export function writeRunEnvironment(dir: string, run: string, e: GatedEnvironment): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${ENV_FILE_PREFIX}${run.replace(/[^A-Za-z0-9_.-]+/g, '_')}.json`), JSON.stringify({ run, entries: environmentEntries(e) }));
  writeMergedEnvironment(dir);
}

export function writeMergedEnvironment(dir: string): Record<string, string> | undefined {
  if (!existsSync(dir)) return undefined;
  const runs = readdirSync(dir).filter((f) => f.startsWith(ENV_FILE_PREFIX) && f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { run: string; entries: Record<string, string> });
  if (!runs.length) return undefined;
  const merged = { ...mergeEnvironments(runs), node: process.version };
  writeFileSync(join(dir, 'environment.properties'), propertiesText(merged));
  return merged;
}

/** reports/gate.json as the merged gate (scripts/gate-verdict.ts) or one run (the gate reporter) writes it. */
export interface GateJson {
  verdict: string; counts?: Record<string, number>; failuresByCategory?: Record<string, number>; durationSeconds?: number;
  phases?: { phase: string; verdict: string; reason?: string; durationSeconds: number | null; counts: Record<string, number> | null }[];
  leakedOperations?: { operation: string; leaked: number; driverFunctions: string[]; conflictsProvoked?: number; conflictsInjected?: number; retriedToSuccess: number }[];
  retryInjection?: { injections?: number; attributed?: number; writeOperationsInjected?: number; writeOperationsTotal?: number };
  coverage?: { total: number; covered: number; justified: number; uncovered: number; judged?: boolean };
  knownDefects?: unknown[]; skipped?: unknown[]; failures?: { category: string; test: string; message: string }[]; globalErrors?: string[];
  [k: string]: unknown;
}

/** One line for the report's name: the verdict and the counts. */
export function reportName(gate: GateJson | undefined): string {
  if (!gate) return 'Keystone release gate';
  const c = gate.counts ?? {};
  return `Keystone release gate: ${gate.verdict.toUpperCase()} (${c.passed ?? 0} passed, ${c.failed ?? 0} failed, ${c.skipped ?? 0} skipped)`;
}

interface LoadJsonLite { meta?: { label?: string }; scenarios?: { scenario: string; passed: boolean; iterations: number; failures: number; iterationsPerSecond: number; total: { median: number | null; p95: number | null } }[] }
interface RetryJsonLite { verdict?: string; operations?: { op: string; requests?: number; conflictsProvoked: number; retriedThenOk: number; leaks: number; leakingFunctions: string[] }[] }

/** The gate summary page: verdict, phases, failures by category, leaks, retry coverage, coverage, load. */
export function gateSummaryHtml(gate: GateJson, extra: { retry?: RetryJsonLite; load?: LoadJsonLite } = {}): string {
  const tables: { title: string; note?: string; tables: Table[] }[] = [];
  const c = gate.counts ?? {};
  tables.push({
    title: `Verdict: ${gate.verdict.toUpperCase()}`,
    note: `${c.passed ?? 0} passed, ${c.failed ?? 0} failed, ${c.skipped ?? 0} skipped${gate.durationSeconds ? ` in ${Math.round(gate.durationSeconds)} s` : ''}`,
    tables: [
      ...(gate.phases?.length ? [{ caption: 'Phases', columns: ['phase', 'verdict', 'passed', 'failed', 'skipped', 'seconds', 'note'], status: gate.phases.map((p) => (p.verdict === 'pass' ? 'pass' as const : 'fail' as const)), rows: gate.phases.map((p) => [p.phase, p.verdict, p.counts?.passed ?? null, p.counts?.failed ?? null, p.counts?.skipped ?? null, p.durationSeconds, p.reason ?? '']) }] : []),
      { caption: 'Failures by category', columns: ['category', 'failures'], rows: Object.entries(gate.failuresByCategory ?? {}).map(([k, v]) => [GATE_CATEGORIES[k as DashboardCategory]?.title ?? k, v]) },
    ],
  });
  if (gate.failures?.length || gate.globalErrors?.length) {
    tables.push({ title: 'Failures', tables: [{ columns: ['category', 'test', 'message'], rows: [...(gate.failures ?? []).map((f) => [f.category, f.test, f.message.split('\n')[0]!]), ...(gate.globalErrors ?? []).map((e) => ['global', '', e.split('\n')[0]!])] }] });
  }
  if (gate.leakedOperations?.length) {
    tables.push({ title: 'Leaked conflicts', tables: [{ columns: ['operation', 'conflicts', 'retried', 'leaked', 'driver functions'], rows: gate.leakedOperations.map((l) => [l.operation, l.conflictsInjected ?? l.conflictsProvoked ?? null, l.retriedToSuccess, l.leaked, l.driverFunctions.join(', ')]) }] });
  }
  const ops = extra.retry?.operations ?? [];
  if (ops.length) {
    tables.push({ title: 'Retry coverage (conflict storms)', note: `verdict: ${extra.retry?.verdict ?? 'n/a'}`, tables: [{ columns: ['operation', 'requests', 'conflicts provoked', 'retried to success', 'leaked', 'driver functions'], status: ops.map((o) => (o.leaks ? 'fail' as const : undefined)), rows: ops.map((o) => [o.op, o.requests ?? null, o.conflictsProvoked, o.retriedThenOk, o.leaks, o.leakingFunctions.join(', ')]) }] });
  }
  if (gate.retryInjection) {
    const r = gate.retryInjection;
    tables.push({ title: 'Retry phase (injected conflicts)', tables: [{ columns: ['conflicts injected', 'tied to a request', 'write operations injected'], rows: [[r.injections ?? null, r.attributed ?? null, `${r.writeOperationsInjected ?? '?'} of ${r.writeOperationsTotal ?? '?'}`]] }] });
  }
  if (gate.coverage) {
    const cv = gate.coverage;
    tables.push({ title: 'API coverage (api-ref operations)', note: cv.judged === false ? 'informational: this run selected part of the conformance project; only a full conformance run judges coverage' : undefined, tables: [{ columns: ['total', 'covered', 'justified gaps', 'uncovered'], rows: [[cv.total, cv.covered, cv.justified, cv.uncovered]] }] });
  }
  const rbac = Object.entries(gate).filter(([k]) => /rbac/i.test(k));
  if (rbac.length) tables.push({ title: 'RBAC', tables: [{ columns: ['key', 'value'], rows: rbac.map(([k, v]) => [k, JSON.stringify(v)]) }] });
  if (gate.knownDefects?.length) tables.push({ title: 'Known defects of the Keystone under test', note: `${gate.knownDefects.length} listed checks reproduced (not failures; see the Categories tab)`, tables: [] });
  const load = extra.load?.scenarios ?? [];
  if (load.length) {
    const s = (v: number | null) => (v === null ? null : Number(v.toFixed(3)));
    tables.push({ title: `Load (${extra.load?.meta?.label ?? ''})`, tables: [{ columns: ['scenario', 'iterations', 'failures', 'it/s', 'median s', 'p95 s', 'SLA'], status: load.map((x) => (x.passed ? 'pass' as const : 'fail' as const)), rows: load.map((x) => [x.scenario, x.iterations, x.failures, Number(x.iterationsPerSecond.toFixed(3)), s(x.total.median), s(x.total.p95), x.passed ? 'pass' : 'FAIL']) }] });
  }
  const page = htmlPage(reportName(gate), tables.map((t) => ({ title: t.title, ...(t.note ? { note: t.note } : {}), tables: t.tables })));
  return page;
}

/** Removes an earlier run entry of that name (and its attachments): `npm run report` twice must not show it twice. */
function removeRunEntry(dir: string, name: string): void {
  for (const f of readdirSync(dir).filter((x) => x.endsWith('-result.json'))) {
    const r = readJson<{ historyId?: string; attachments?: { source: string }[] }>(join(dir, f));
    if (r?.historyId !== `gate-run-entry-${name}`) continue;
    for (const a of r.attachments ?? []) rmSync(join(dir, a.source), { force: true });
    rmSync(join(dir, f), { force: true });
  }
}

function readJson<T>(file: string): T | undefined {
  try { return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as T : undefined; } catch { return undefined; }
}

/**
 * Everything the report adds to allure-results before `allure generate` (scripts/report.sh):
 * categories, merged environment, executor, the gate summary entry. Returns the report name.
 */
export function prepareAllureResults(dir: string, root = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  mkdirSync(dir, { recursive: true });
  const gate = readJson<GateJson>(join(root, 'reports', 'gate.json'));
  // A merged gate takes its coverage from the last phase; it was judged if the conformance phase judged it.
  if (gate?.phases && gate.coverage) {
    const dirPhases = join(root, 'reports', 'out', 'gate-phases');
    const phases = existsSync(dirPhases) ? readdirSync(dirPhases).filter((f) => f.endsWith('.gate.json')).map((f) => readJson<GateJson>(join(dirPhases, f))) : [];
    gate.coverage = { ...gate.coverage, judged: phases.some((p) => p?.coverage?.judged === true) };
  }
  const name = reportName(gate);
  writeFileSync(join(dir, 'categories.json'), JSON.stringify(allureCategories(), null, 2));
  writeMergedEnvironment(dir);
  writeFileSync(join(dir, 'executor.json'), JSON.stringify(executorInfo(env, name), null, 2));
  removeRunEntry(dir, 'gate summary');
  if (gate) {
    const html = gateSummaryHtml(gate, { retry: readJson(join(root, 'reports', 'retry-coverage.json')), load: readJson(join(root, 'reports', 'load.json')) });
    const status = gate.verdict === 'pass' ? 'passed' : gate.verdict === 'fail' ? 'failed' : 'skipped';
    const byCat = Object.entries(gate.failuresByCategory ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
    const message = status === 'passed' ? undefined : `${prefixOf('verdict')}${gate.verdict.toUpperCase()}${byCat ? `: ${byCat}` : ''}${gate.globalErrors?.length ? `; ${gate.globalErrors[0]!.split('\n')[0]}` : ''}`;
    writeAllureRunEntry(dir, 'gate summary', status, [
      { name: 'gate summary.html', body: html, type: 'text/html' },
      { name: 'gate.json', body: JSON.stringify(gate, null, 2), type: 'application/json' },
    ], name, { message, descriptionHtml: html, severity: 'blocker' });
  }
  return name;
}

// `tsx reports/allure-dashboard.ts [results dir]`: prints the report name for `allure generate --report-name`.
if (process.argv[1] && /allure-dashboard\.ts$/.test(process.argv[1])) {
  process.stdout.write(`${prepareAllureResults(process.argv[2] ?? process.env.ALLURE_RESULTS_DIR ?? 'allure-results')}\n`);
}

