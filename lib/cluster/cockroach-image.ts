import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, type Settings } from '../config/settings.js';
import { buildOnce, hashInputs, imageExists, IMAGES_DIR } from './images.js';

/** Where the Keystone image gets the sqlalchemy-cockroachdb dialect from. */
export type DialectSource = { kind: 'wheels'; dir: string; wheels: string[] } | { kind: 'index'; url: string } | { kind: 'image'; image: string };

export const MISSING_DIALECT = 'KS_BACKEND=cockroachdb: Keystone needs the sqlalchemy-cockroachdb dialect; set KS_WHEELS_DIR=<a directory with its wheel> or KS_PIP_INDEX=<a package index URL> (or KS_KEYSTONE_IMAGE=<a Keystone image that has it>)';

/**
 * Decides the dialect's source, or fails with one line saying what to provide. A user's own
 * Keystone image (KS_KEYSTONE_IMAGE) is expected to carry it (probed before use); otherwise the
 * gate's image gets it from a wheel directory or an index. `listDir` is injectable for selftests.
 */
export function dialectSource(settings: Pick<Settings, 'keystoneImage' | 'cockroach'>, listDir: (dir: string) => string[] | undefined = wheelFiles): DialectSource {
  if (settings.keystoneImage) return { kind: 'image', image: settings.keystoneImage };
  const { wheelsDir, pipIndex } = settings.cockroach;
  if (pipIndex) return { kind: 'index', url: pipIndex };
  if (!wheelsDir) throw new ConfigError(MISSING_DIALECT);
  const wheels = listDir(wheelsDir);
  if (wheels === undefined) throw new ConfigError(`KS_WHEELS_DIR=${wheelsDir}: no such directory`);
  if (!wheels.some((w) => /^sqlalchemy_cockroachdb-.*\.whl$/i.test(w))) {
    throw new ConfigError(`KS_WHEELS_DIR=${wheelsDir} holds no sqlalchemy_cockroachdb-*.whl (pip download 'sqlalchemy-cockroachdb<2' --no-deps -d ${wheelsDir} on a machine with an index)`);
  }
  return { kind: 'wheels', dir: wheelsDir, wheels };
}

function wheelFiles(dir: string): string[] | undefined {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) return undefined;
  return readdirSync(abs).filter((f) => f.endsWith('.whl')).sort();
}

/** The docker build arguments of the dialect layer (pure: selftested). */
export function dialectBuildArgs(base: string, source: DialectSource, dialectSpec: string): Record<string, string> {
  if (source.kind === 'image') throw new Error('a user image is used as is: no dialect layer is built on it');
  return { BASE_IMAGE: base, DIALECT_SPEC: dialectSpec, PIP_INDEX: source.kind === 'index' ? source.url : '' };
}

/** The Python probe run in a Keystone image: exits 0 only if SQLAlchemy can load the cockroachdb dialect. */
export const DIALECT_PROBE = "from sqlalchemy.dialects import registry; registry.load('cockroachdb')";

/**
 * The Keystone image for CockroachDB: `base` (stock or patched, from keystoneImage()) plus the
 * dialect layer (images/keystone-cockroach/Dockerfile), cached by a hash of its inputs; or the
 * user's own image, once a probe shows it has the dialect.
 */
export async function cockroachKeystoneImage(settings: Settings, base: { image: string; variant: string }): Promise<{ image: string; variant: string }> {
  const source = dialectSource(settings);
  if (source.kind === 'image') {
    const r = spawnSync('docker', ['run', '--rm', '--network', 'none', '--entrypoint', 'python3', source.image, '-c', DIALECT_PROBE], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new ConfigError(`KS_KEYSTONE_IMAGE=${source.image} cannot load the sqlalchemy-cockroachdb dialect (${(r.stderr ?? '').trim().split('\n').at(-1) ?? `exit ${r.status}`}); install it in the image, or drop KS_KEYSTONE_IMAGE and set KS_WHEELS_DIR or KS_PIP_INDEX`);
    return base;
  }
  const dir = join(IMAGES_DIR, 'keystone-cockroach');
  const ctx = mkdtempSync(join(tmpdir(), 'ks-crdb-dialect-'));
  try {
    copyFileSync(join(dir, 'Dockerfile'), join(ctx, 'Dockerfile'));
    mkdirSync(join(ctx, 'wheels'));
    if (source.kind === 'wheels') for (const w of source.wheels) copyFileSync(join(resolve(source.dir), w), join(ctx, 'wheels', w));
    const args = dialectBuildArgs(base.image, source, settings.cockroach.dialectSpec);
    const tag = `ks-gate/keystone:crdb-${hashInputs(ctx, [JSON.stringify(args), ...readdirSync(join(ctx, 'wheels')).sort().flatMap((w) => [w, readFileSync(join(ctx, 'wheels', w))])])}`;
    if (!(await imageExists(tag))) {
      await buildOnce(tag, ctx, 'Dockerfile', args).catch((e: Error) => {
        throw new ConfigError(`the sqlalchemy-cockroachdb dialect could not be installed into ${base.image} from ${source.kind === 'index' ? `KS_PIP_INDEX=${source.url}` : `KS_WHEELS_DIR=${source.dir}`} (${e.message.split('\n')[0]})`);
      });
    }
    return { image: tag, variant: `${base.variant} + sqlalchemy-cockroachdb` };
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}
