import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The concurrency scenarios both expected outcomes run: the write paths where stock Keystone leaked
 * most under SERIALIZABLE (FACTS.md: group members 6/40, user deletes 9/40, project PATCH 4/40).
 */
export const OUTCOME_SPECS = ['suites/concurrency/groups.spec.ts', 'suites/concurrency/users.spec.ts', 'suites/concurrency/projects.spec.ts'];

/**
 * The gate's concurrency phase (scripts/phase-env.sh; selftest/gate-phases.spec.ts pins it):
 * SERIALIZABLE, and the database injecting a serialization failure into the first attempt of every write.
 */
export const CONCURRENCY_PHASE_ENV = { KS_PG_ISOLATION: 'serializable', KS_INJECT_CONFLICTS: 'on' } as const;

export interface GateRun { code: number | null; output: string; gate: { verdict: string; leakedOperations: { operation: string; leaked: number; driverFunctions: string[] }[]; failuresByCategory: Record<string, number>; failures: { category: string; test: string; project: string; message: string }[]; counts: { passed: number; failed: number; skipped: number } } | undefined }

/** Runs the gate (a real Playwright run on its own embedded cluster) as a user would, and returns its verdict. */
export async function runGate(args: string[], env: Record<string, string>, timeoutMs: number): Promise<GateRun> {
  const out = mkdtempSync(join(tmpdir(), 'ks-outcome-'));
  const gateFile = join(out, 'gate.json');
  const child = spawn('npx', ['playwright', 'test', ...args], {
    detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KS_TARGET: 'embedded', PW_JSON: join(out, 'results.json'), PW_JUNIT: join(out, 'junit.xml'), ALLURE_RESULTS_DIR: join(out, 'allure'), KS_GATE_FILE: gateFile, ...env },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGINT'); } catch { /* gone */ } }, timeoutMs);
    child.on('exit', (c) => { clearTimeout(timer); resolve(c); });
  });
  const gate = existsSync(gateFile) ? JSON.parse(readFileSync(gateFile, 'utf8')) : undefined;
  return { code, output: output.slice(-6000), gate };
}
