import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from '@playwright/test';

const docker = (...args: string[]) => spawnSync('docker', args, { encoding: 'utf8' }).stdout.trim();
const runsWithKeystone = () => new Set(docker('ps', '--filter', 'label=ks-gate.role=keystone', '--format', '{{.Label "ks-gate.run"}}').split('\n').filter(Boolean));

// Ctrl-C in the middle of a run must leave no container of the suite behind (no reaper here).
test('SIGINT during a run removes every container of that run', async () => {
  test.setTimeout(240_000);
  const before = runsWithKeystone();
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
    run = [...runsWithKeystone()].find((r) => !before.has(r));
  }
  try {
    expect(run, `the child run started a Keystone container; output:\n${output}`).toBeTruthy();
    expect(docker('ps', '-q', '--filter', `label=ks-gate.run=${run}`).split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(2);
    process.kill(-child.pid!, 'SIGINT');
    const code = await Promise.race([exited, sleep(60_000).then(() => 'hung' as const)]);
    expect(code, 'the run exits after Ctrl-C').not.toBe('hung');
    expect(docker('ps', '-a', '-q', '--filter', `label=ks-gate.run=${run}`), `containers of run ${run} remain`).toBe('');
  } finally {
    try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    if (run) spawnSync('sh', ['-c', `docker rm -f $(docker ps -aq --filter label=ks-gate.run=${run}) 2>/dev/null`]);
  }
});
