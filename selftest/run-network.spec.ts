import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { LABEL, LABEL_OWNER_PID, LABEL_RUN, removeRun, sweepOrphans } from '../lib/cluster/ownership.js';
import { createRunNetwork } from '../lib/cluster/run-network.js';

const networksOf = (runId: string) => execFileSync('docker', ['network', 'ls', '-q', '--filter', `label=${LABEL_RUN}=${runId}`], { encoding: 'utf8' }).split('\n').filter(Boolean);

// Used to leak: the PostgreSQL topology's network was testcontainers' own, without our labels, so
// a killed run left it, and 31 of them exhausted docker's address pools on the shared machine.
test('a run network carries the run and owner labels, and removeRun takes it away', async () => {
  const runId = `selftest-net-${process.pid}-${Date.now()}`;
  try {
    const net = await createRunNetwork(runId, `ks-gate-${runId}`, false);
    expect(net.getName()).toBe(`ks-gate-${runId}`);
    expect(networksOf(runId)).toHaveLength(1);
    removeRun(runId);
    expect(networksOf(runId)).toHaveLength(0);
  } finally {
    removeRun(runId);
  }
});

test('the orphan sweep removes a network whose owner process is gone, even with no container left', () => {
  const runId = `selftest-orphan-${process.pid}-${Date.now()}`;
  try {
    // pid 2^22 + 1 is above Linux's pid_max limit: no such process can exist.
    execFileSync('docker', ['network', 'create', '--label', `${LABEL}=true`, '--label', `${LABEL_RUN}=${runId}`, '--label', `${LABEL_OWNER_PID}=4194305`, `ks-gate-${runId}`], { stdio: 'ignore' });
    expect(networksOf(runId)).toHaveLength(1);
    sweepOrphans();
    expect(networksOf(runId)).toHaveLength(0);
  } finally {
    removeRun(runId);
  }
});
