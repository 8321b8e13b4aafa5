import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';

/** What scripts/phase-env.sh hands one gate phase (gate.sh and gate-shard.sh both source it). */
function phaseEnv(phase: string, env: Record<string, string> = {}): { envs: string[]; projects: string[] } {
  const out = execFileSync('bash', ['-c', 'source scripts/phase-env.sh; envs=(); phase_env "$1"; printf "E %s\\n" "${envs[@]}"; printf "P %s\\n" "${projects[@]}"', '_', phase], {
    encoding: 'utf8', env: { PATH: process.env.PATH!, ...env },
  });
  const lines = out.split('\n').filter(Boolean);
  return { envs: lines.filter((l) => l.startsWith('E ')).map((l) => l.slice(2)).filter(Boolean), projects: lines.filter((l) => l.startsWith('P ')).map((l) => l.slice(2)) };
}

test('conformance runs at read committed on two workers; KS_CONFORMANCE_ISOLATION=serializable restores one worker', () => {
  expect(phaseEnv('conformance')).toEqual({ envs: ['KS_PG_ISOLATION=read committed', 'KS_CONFORMANCE_WORKERS=2'], projects: ['--project=conformance'] });
  expect(phaseEnv('conformance', { KS_CONFORMANCE_ISOLATION: 'serializable' }).envs).toEqual(['KS_PG_ISOLATION=serializable', 'KS_CONFORMANCE_WORKERS=1']);
});

test('concurrency injects into the first attempt of every write on the embedded target only, and can be turned off', () => {
  expect(phaseEnv('concurrency')).toEqual({ envs: ['KS_INJECT_CONFLICTS=on'], projects: ['--project=concurrency'] });
  expect(phaseEnv('concurrency', { KS_CONCURRENCY_INJECT: 'off' }).envs).toEqual([]);
  expect(phaseEnv('concurrency', { KS_TARGET: 'external' }).envs).toEqual([]);
});

test('retry is the conformance project with injection on every first attempt; rbac and chaos get their clusters', () => {
  expect(phaseEnv('retry')).toEqual({ envs: ['KS_INJECT_CONFLICTS=on', 'KS_CONFORMANCE_WORKERS=2'], projects: ['--project=conformance'] });
  expect(phaseEnv('rbac').envs).toEqual(['KS_PG_ISOLATION=read committed', 'KS_ENFORCE_SCOPE=true', 'KS_RBAC_POLICY=secure']);
  expect(phaseEnv('rbac', { KS_RBAC_POLICY: 'legacy' }).envs).toEqual(['KS_PG_ISOLATION=read committed']);
  expect(phaseEnv('rbac', { KS_RBAC_ISOLATION: 'serializable' }).envs[0]).toBe('KS_PG_ISOLATION=serializable');
  expect(phaseEnv('chaos').envs).toEqual(['KS_BACKEND=galera']);
  expect(phaseEnv('load')).toEqual({ envs: [], projects: ['--project=load'] });
});
