import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The keystone Python package's version inside a Keystone container the suite started (Debian's
 * package or a user image alike: any Python install of Keystone has the distribution metadata),
 * or undefined where it cannot be read (not Python, no keystone distribution).
 */
export async function keystonePackageVersion(container: string): Promise<string | undefined> {
  const script = "import importlib.metadata as m; print(m.version('keystone'))";
  try {
    const { stdout } = await run('docker', ['exec', container, 'python3', '-c', script], { timeout: 30_000 });
    const v = stdout.trim();
    return /^\d+(\.\d+)*/.test(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
