import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GenericContainer, getContainerRuntimeClient, ImageName } from 'testcontainers';
import type { Settings } from '../config/settings.js';
import { ConfigError } from '../config/settings.js';

export const IMAGES_DIR = fileURLToPath(new URL('./images/', import.meta.url));
const log = (m: string) => process.stderr.write(`[cluster] ${m}\n`);

/** Content hash of an image's build inputs: the tag, so a warm run never rebuilds. */
export function hashInputs(dir: string, extra: (string | Buffer)[] = []): string {
  const h = createHash('sha256');
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isFile()) h.update(f).update(readFileSync(p));
  }
  for (const e of extra) h.update(e);
  return h.digest('hex').slice(0, 12);
}

export async function imageExists(name: string): Promise<boolean> {
  const client = await getContainerRuntimeClient();
  return client.image.exists(ImageName.fromString(name));
}

export async function buildOnce(name: string, context: string, dockerfile = 'Dockerfile', buildArgs: Record<string, string> = {}): Promise<string> {
  if (await imageExists(name)) return name;
  const started = Date.now();
  log(`building ${name} (a cold Keystone build takes about 2 min)`);
  await GenericContainer.fromDockerfile(context, dockerfile).withBuildArgs(buildArgs).build(name, { deleteOnExit: false });
  log(`built ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return name;
}

export function postgresImage(): Promise<string> {
  const dir = join(IMAGES_DIR, 'postgres');
  return buildOnce(`ks-gate/postgres:${hashInputs(dir)}`, dir);
}

export function galeraImage(): Promise<string> {
  const dir = join(IMAGES_DIR, 'galera');
  return buildOnce(`ks-gate/galera:${hashInputs(dir)}`, dir);
}

/**
 * The TCP fault proxy (chaos/proxy) as an image: main.ts and its imports are bundled into one
 * file (esbuild, which tsx already brings) in a throwaway build context, so the image needs only
 * Debian's nodejs. The tag hashes the bundle, so a proxy change rebuilds it.
 */
export async function faultProxyImage(): Promise<string> {
  const dir = join(IMAGES_DIR, 'faultproxy');
  const ctx = mkdtempSync(join(tmpdir(), 'ks-faultproxy-'));
  try {
    const { build } = await import('esbuild');
    await build({
      entryPoints: [fileURLToPath(new URL('../../chaos/proxy/main.ts', import.meta.url))],
      bundle: true, platform: 'node', format: 'esm', target: 'node18', // bookworm's nodejs is 18
      outfile: join(ctx, 'fault-proxy.mjs'), logLevel: 'warning', legalComments: 'none',
    });
    copyFileSync(join(dir, 'Dockerfile'), join(ctx, 'Dockerfile'));
    return await buildOnce(`ks-gate/faultproxy:${hashInputs(ctx)}`, ctx);
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}

/** The Keystone image under test: a user's prebuilt image, stock Debian Keystone, or stock + a user patch. */
export async function keystoneImage(settings: Settings): Promise<{ image: string; variant: string }> {
  if (settings.keystoneImage) {
    if (!(await imageExists(settings.keystoneImage))) {
      throw new ConfigError(`KS_KEYSTONE_IMAGE=${settings.keystoneImage}: no such image in the local engine`);
    }
    return { image: settings.keystoneImage, variant: `image ${settings.keystoneImage}` };
  }
  const dir = join(IMAGES_DIR, 'keystone');
  const stock = await buildOnce(`ks-gate/keystone:stock-${hashInputs(dir)}`, dir);
  if (!settings.keystonePatch) return { image: stock, variant: 'stock' };

  const patchPath = resolve(settings.keystonePatch);
  let patch: Buffer;
  try { patch = readFileSync(patchPath); } catch { throw new ConfigError(`KS_KEYSTONE_PATCH=${settings.keystonePatch}: cannot read ${patchPath}`); }
  const tag = `ks-gate/keystone:patched-${hashInputs(dir, [patch])}`;
  if (await imageExists(tag)) return { image: tag, variant: `patched (${settings.keystonePatch})` };
  // The patch goes into a throwaway build context next to its Dockerfile.
  const ctx = mkdtempSync(join(tmpdir(), 'ks-patch-'));
  try {
    copyFileSync(join(dir, 'Dockerfile.patched'), join(ctx, 'Dockerfile'));
    writeFileSync(join(ctx, 'user.patch'), patch);
    await buildOnce(tag, ctx, 'Dockerfile', { BASE_IMAGE: stock }).catch((e: Error) => {
      // testcontainers only says "Failed to build image": say why, in patch's own words.
      const why = patchRefusal(stock, patch);
      throw why ? new ConfigError(`KS_KEYSTONE_PATCH=${settings.keystonePatch} does not apply to ${stock}:\n${why}`) : e;
    });
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
  return { image: tag, variant: `patched (${settings.keystonePatch})` };
}

/** patch's own output when the diff does not apply to the image's dist-packages, else undefined. */
function patchRefusal(image: string, patch: Buffer): string | undefined {
  const r = spawnSync('docker', ['run', '--rm', '-i', '--network', 'none', '--entrypoint', 'sh', image, '-c',
    'cd /usr/lib/python3/dist-packages && patch -p1 --dry-run --forward --batch'], { input: patch, encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? undefined : `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() || `patch exited ${r.status}`;
}
