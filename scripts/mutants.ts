// npm run mutants: builds each seeded Keystone defect (mutants/*.diff on top of the reference retry
// patch) through the user-patch slot, runs the specs where it should show, and says whether the
// gate killed it for the right reason. Prints a table, writes reports/mutants.json, exits 1 when any
// mutant is not killed.
//
//   npm run mutants                 every mutant, each on its own projects/specs/grep
//   npm run mutants -- --all        every mutant, every gate project in full (hours)
//   npm run mutants -- --only a,b   some mutants
//   npm run mutants -- --ci         the cheap CI subset (manifest "ci: true")
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../lib/config/settings.js';
import { judgeMutantRun, type GateFileOfRun, type PlaywrightJsonOfRun } from '../lib/mutants/judgement.js';
import { GATE_PROJECT_DIRS, parseMutantManifest, phaseEnvironment, selectMutants, validateMutantDiff, type Mutant } from '../lib/mutants/manifest.js';
import { renderMutantTable, writeMutantsJson, type MutantRow } from '../reports/mutants-report.js';

const ROOT = resolve(import.meta.dirname, '..');
const MANIFEST = 'mutants/mutants.yaml';
const REFERENCE_PATCH = 'patches/keystone-retry.diff';
const OUT_DIR = 'reports/out/mutants';
const REPORT = 'reports/mutants.json';

const { values } = parseArgs({
  options: {
    all: { type: 'boolean', default: false },
    only: { type: 'string' },
    ci: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

if (values.help) {
  process.stdout.write('usage: npm run mutants -- [--all] [--only id,id] [--ci]\n');
  process.exit(0);
}

/** Playwright's arguments for one mutant: its own projects, specs and grep, or with --all every project whole. */
function playwrightArgs(m: Mutant, all: boolean): string[] {
  if (all) return Object.keys(GATE_PROJECT_DIRS).map((p) => `--project=${p}`);
  return [...m.projects.map((p) => `--project=${p}`), ...m.specs, ...(m.grep ? ['--grep', m.grep] : [])];
}

function readJson<T>(file: string): T | undefined {
  try { return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as T : undefined; } catch { return undefined; }
}

async function runMutant(m: Mutant, all: boolean): Promise<MutantRow> {
  const dir = join(ROOT, OUT_DIR, m.id);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const mutantDiff = readFileSync(join(ROOT, m.diff), 'utf8');
  validateMutantDiff(mutantDiff, m.id);
  // Named like the reference patch on purpose: known-defect entries with
  // `fixedBy: [keystone-retry.diff]` must stay off, since the reference patch is in this build too;
  // otherwise a defect the reference fixes would read as a stale entry and fail tests for nothing.
  const combined = join(dir, 'keystone-retry.diff');
  writeFileSync(combined, `${readFileSync(join(ROOT, REFERENCE_PATCH), 'utf8').trimEnd()}\n${mutantDiff}`);
  const gateFile = join(dir, 'gate.json');
  const resultsFile = join(dir, 'results.json');
  const args = playwrightArgs(m, all);
  const env = {
    ...process.env,
    TESTCONTAINERS_RYUK_DISABLED: process.env.TESTCONTAINERS_RYUK_DISABLED ?? 'true',
    KS_KEYSTONE_PATCH: combined,
    KS_GATE_FILE: gateFile,
    PW_JSON: resultsFile,
    PW_JUNIT: join(dir, 'junit.xml'),
    ALLURE_RESULTS_DIR: join(dir, 'allure-results'),
    ...phaseEnvironment(m.phase),
    // The rbac project judges the secure policy set: a cluster with both oslo_policy flags on (as gate.sh's rbac phase).
    ...(m.projects.includes('rbac') ? { KS_ENFORCE_SCOPE: 'true', KS_RBAC_POLICY: 'secure', KS_RBAC_FILE: join(dir, 'rbac.json') } : {}),
  };
  const started = Date.now();
  process.stdout.write(`=== mutant ${m.id} (must fail as ${m.mustFailAs}): ${Object.entries(phaseEnvironment(m.phase)).map(([k, v]) => `${k}=${v} `).join('')}npx playwright test ${args.join(' ')}\n`);
  const log = createWriteStream(join(dir, 'playwright.log'));
  const code = await new Promise<number>((done) => {
    const child = spawn('npx', ['playwright', 'test', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on('close', (c) => done(c ?? 1));
  });
  log.end();
  const judgement = judgeMutantRun(m.mustFailAs, readJson<GateFileOfRun>(gateFile), readJson<PlaywrightJsonOfRun>(resultsFile));
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`    ${judgement.verdict} in ${seconds.toFixed(0)} s (playwright exit ${code}): ${judgement.reason}\n`);
  return { id: m.id, breaks: m.breaks, mustFailAs: m.mustFailAs, ran: args, seconds, outputDir: join(OUT_DIR, m.id), ...judgement };
}

async function main(): Promise<number> {
  const manifest = parseMutantManifest(readFileSync(join(ROOT, MANIFEST), 'utf8'), MANIFEST, (p) => existsSync(join(ROOT, p)));
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const chosen = selectMutants(manifest, { only, ci: values.ci });
  const startedAt = new Date().toISOString();
  const selection = values.only ? `--only ${values.only}` : values.ci ? '--ci' : 'all mutants';
  const rows: MutantRow[] = [];
  for (const m of chosen) {
    rows.push(await runMutant(m, values.all));
    // Written after every mutant, so an interrupted session still leaves what it measured.
    writeMutantsJson(join(ROOT, REPORT), rows, { startedAt, selection: `${selection}${values.all ? ', every project' : ''}` });
  }
  process.stdout.write(`\n${renderMutantTable(rows)}`);
  process.stdout.write(`-> ${REPORT}\n`);
  const survivors = rows.filter((r) => r.verdict !== 'killed');
  return survivors.length ? 1 : 0;
}

main().then((code) => process.exit(code), (e: unknown) => {
  process.stderr.write(`${e instanceof ConfigError ? e.message : (e as Error).stack ?? String(e)}\n`);
  process.exit(2);
});
