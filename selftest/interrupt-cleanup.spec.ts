import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from '@playwright/test';

const docker = (...args: string[]) => spawnSync('docker', args, { encoding: 'utf8' }).stdout.trim();
/**
 * Runs with a Keystone container owned by a process of process group `pgid` (the child run, started
 * detached: its own group). Other runs on the machine (another engineer's) are never this test's:
 * picking "any new run" once signalled the child, judged a stranger's run and removed it.
 */
const runsWithKeystoneOf = (pgid: number) => new Set(docker('ps', '--filter', 'label=ks-gate.role=keystone', '--format', '{{.Label "ks-gate.run"}} {{.Label "ks-gate.owner-pid"}}')
  .split('\n').filter(Boolean).map((l) => l.split(' ')).filter(([, owner]) => groupOf(Number(owner)) === pgid).map(([run]) => run!));

/** The process group of `pid` (/proc/<pid>/stat: "pid (comm) state ppid pgrp ..."), undefined if it is gone. */
function groupOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}

// Ctrl-C in the middle of a run must leave no container of the suite behind (no reaper here).
test('SIGINT during a run removes every container of that run', async () => {
  test.setTimeout(240_000);
  const out = mkdtempSync(join(tmpdir(), 'ks-interrupt-'));
  const child = spawn('npx', ['playwright', 'test', '--project=conformance', '--grep', '@slice', '--reporter=line'], {
    detached: true, // its own process group, as a terminal's foreground job
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KS_TARGET: 'embedded', PW_JSON: join(out, 'r.json'), PW_JUNIT: join(out, 'j.xml'), ALLURE_RESULTS_DIR: join(out, 'allure'), KS_GATE_FILE: join(out, 'gate.json') },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let done = false;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { done = true; resolve(code); }));

  let run: string | undefined;
  const deadline = Date.now() + 180_000;
  while (!run && !done && Date.now() < deadline) {
    await sleep(500);
    run = [...runsWithKeystoneOf(child.pid!)][0];
  }
  try {
    expect(run, `the child run started a Keystone container; output:\n${output}`).toBeTruthy();
    expect(docker('ps', '-q', '--filter', `label=ks-gate.run=${run}`).split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(2);
    process.kill(-child.pid!, 'SIGINT');
    const code = await Promise.race([exited, sleep(60_000).then(() => 'hung' as const)]);
    expect(code, `the run exits after Ctrl-C; output:\n${output}`).not.toBe('hung');
    expect(docker('ps', '-a', '-q', '--filter', `label=ks-gate.run=${run}`), `containers of run ${run} remain; output:\n${output}`).toBe('');
  } finally {
    try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    if (run) spawnSync('sh', ['-c', `docker rm -f $(docker ps -aq --filter label=ks-gate.run=${run}) 2>/dev/null`]);
  }
});
