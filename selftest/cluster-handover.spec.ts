import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { handoverFile, readHandover, removeHandover, runnerPid, updateHandover } from '../lib/cluster/handover.js';
import { LABEL_OWNER_PID, ownershipLabels } from '../lib/cluster/ownership.js';

// The cluster setup project runs in a worker and hands the cluster to the runner through a file
// keyed by the runner's pid (lib/cluster/handover.ts): both sides must compute the same pid.

test('in a worker the runner is the parent; a runner started from a worker is itself', () => {
  // This test runs in a Playwright worker, forked by the runner with an IPC channel.
  expect(process.env.TEST_WORKER_INDEX).toBeDefined();
  expect(runnerPid()).toBe(process.ppid);
  // `npx playwright test` started from a worker inherits TEST_WORKER_INDEX, but has no IPC channel.
  const out = execFileSync(join(process.cwd(), 'node_modules', '.bin', 'tsx'), ['-e', 'import { runnerPid } from "./lib/cluster/handover.ts"; process.stdout.write(JSON.stringify([runnerPid(), process.pid]))'], { encoding: 'utf8', env: { ...process.env } });
  const [pid, own] = JSON.parse(out.trim()) as [number, number];
  expect(pid).toBe(own);
});

test('containers belong to the runner, not to the worker that started them (the setup worker exits)', () => {
  expect(ownershipLabels('r1')[LABEL_OWNER_PID]).toBe(String(process.ppid));
});

test('the handover merges what each side writes, is read by pid, and is gone once removed', () => {
  const pid = 4194305; // above Linux's pid_max: no real runner has it
  try {
    updateHandover({ runId: 'abcd', embedded: { state: 'starting', setupPid: 42 } }, pid);
    updateHandover({ clusterFile: '/x/cluster-abcd.json', summary: { backend: 'postgres', keystoneVariant: 'stock' }, embedded: { state: 'up', containers: [{ id: 'c1', name: '/n1' }] } }, pid);
    expect(readHandover(pid)).toEqual({ runId: 'abcd', clusterFile: '/x/cluster-abcd.json', summary: { backend: 'postgres', keystoneVariant: 'stock' }, embedded: { state: 'up', containers: [{ id: 'c1', name: '/n1' }] } });
    expect(readHandover(pid + 1)).toBeUndefined();
  } finally {
    removeHandover(pid);
  }
  expect(existsSync(handoverFile(pid))).toBe(false);
});

test('handovers of runners that are gone are swept; a live runner\'s stays', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ks-handover-'));
  mkdirSync(join(dir, '.cache'));
  writeFileSync(join(dir, '.cache', 'runner-4194305.json'), '{}');
  writeFileSync(join(dir, '.cache', `runner-${process.ppid}.json`), '{}');
  const r = spawnSync(join(process.cwd(), 'node_modules', '.bin', 'tsx'), ['-e', `import { sweepHandovers } from ${JSON.stringify(join(process.cwd(), 'lib/cluster/handover.ts'))}; process.stdout.write(String(sweepHandovers()))`], { cwd: dir, encoding: 'utf8' });
  expect(r.stdout.trim(), r.stderr).toBe('1');
  expect(existsSync(join(dir, '.cache', 'runner-4194305.json'))).toBe(false);
  expect(existsSync(join(dir, '.cache', `runner-${process.ppid}.json`))).toBe(true);
});
