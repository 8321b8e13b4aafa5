import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { maskText } from '../keystone/mask.js';

const run = promisify(execFile);

/**
 * A container's log (stdout and stderr interleaved as docker stores them), optionally only since a
 * time. The docker CLI returns once the backlog is read, which testcontainers' following stream does not.
 */
export async function containerLog(containerId: string, since?: Date): Promise<string> {
  const args = ['logs', '--timestamps'];
  if (since) args.push('--since', since.toISOString());
  const { stdout, stderr } = await run('docker', [...args, containerId], { maxBuffer: 512 * 1024 * 1024 });
  return stdout + stderr;
}

/** Writes each container's log (secrets masked) where the correlator and the report read them. */
export async function collectClusterLogs(containers: { getId(): string; getName(): string }[], dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await Promise.all(containers.map(async (c) => {
    writeFileSync(join(dir, `${c.getName().replace(/^\//, '')}.log`), maskText(await containerLog(c.getId())));
  }));
}
