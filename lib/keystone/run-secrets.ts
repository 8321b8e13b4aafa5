import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The run's secret registry: every secret the run created or was given (passwords, application
 * credential, OAuth1 and EC2 secrets) is appended here, by whichever process made it (workers,
 * the cluster setup), so the end-of-run canary can look for each one in the reports. The file is
 * 0600 and lives under .cache, never under a directory the canary scans.
 */

/** Shorter strings turn up by chance in any large report: the canary would cry wolf. */
export const MIN_CANARY_LENGTH = 8;

/** The registry of one run (KS_RUN_ID, set by the cluster setup in the workers; the runner passes the handover's); none outside a run (selftests). */
export function runSecretsFile(runId = process.env.KS_RUN_ID): string | undefined {
  return runId ? join(process.cwd(), '.cache', 'run-secrets', `${runId}.jsonl`) : undefined;
}

/** Appends one secret (a JSON string per line, so any character survives). */
export function recordRunSecret(secret: string, file = runSecretsFile()): void {
  if (!file || secret.length < MIN_CANARY_LENGTH) return;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, JSON.stringify(secret) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** The distinct secrets recorded in a registry file (none if it does not exist). */
export function readRunSecrets(file: string | undefined): string[] {
  if (!file || !existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return [...new Set(lines.map((l) => JSON.parse(l) as string))];
}

/** Removes the registry once the canary has run: it holds the secrets in clear. */
export function removeRunSecrets(file: string | undefined): void {
  if (file) rmSync(file, { force: true });
}
