import { existsSync } from 'node:fs';
import type { InjectionSettings } from '../cluster/conflict-injection/injection-settings.js';
import { parseRegionSelectors, type RegionSelectors } from './label-selectors.js';

/**
 * Every knob of the gate, read once from the environment. Bad values fail fast with a message
 * naming the variable, never later as a hang.
 */
export type Target = 'embedded' | 'external';
export type Backend = 'postgres' | 'galera' | 'cockroachdb';

export interface Settings {
  target: Target;
  backend: Backend;
  /** PostgreSQL default_transaction_isolation for the embedded postgres backend. */
  pgIsolation: 'serializable' | 'read committed';
  /** A diff applied to Debian's Keystone at image build (patch -p1 in dist-packages). */
  keystonePatch?: string;
  /** A prebuilt Keystone image used as is instead of building one. */
  keystoneImage?: string;
  /** A user-supplied CockroachDB image (never built or downloaded by the gate). */
  cockroachImage?: string;
  /** Embedded CockroachDB: where the Keystone image gets its dialect, and retry-error injection. */
  cockroach: CockroachSettings;
  topologySize: number;
  /**
   * Keystone API nodes on the one database of the embedded PostgreSQL topology (KS_API_NODES,
   * default 2: the production shape). With 2, read-backs and revocation checks go to the node
   * that did not take the write, so a per-process cache that serves stale reads is seen.
   */
  apiNodes: number;
  /**
   * Conformance tests read every successful write back on the reader node and compare every
   * written field (KS_READ_BACK, default true). Off only to measure what it costs.
   */
  readBack: boolean;
  uwsgiProcesses: number;
  passwordHashRounds: number;
  enforceScope: boolean;
  /** KS_POLICY_FILE: an oslo.policy YAML override the embedded Keystone loads (operators gate their own policy). */
  policyFile?: string;
  concurrency: number;
  requestTimeoutMs: number;
  /**
   * One-way latency (ms) put on the Keystone->database link during a conflict storm: it widens
   * every transaction so concurrent writes overlap and conflicts are provoked steadily; 0 = none.
   */
  stormDatabaseLatencyMs: number;
  /** Chaos against a cluster the suite did not start needs explicit consent. */
  allowExternalChaos: boolean;
  /** Prefix of every resource the suite creates, so it only ever deletes its own. */
  resourcePrefix: string;
  /** Known defects of the Keystone under test (YAML), or undefined for none: every failure counts. */
  knownDefectsFile?: string;
  /**
   * The release of the Keystone under test as the operator declares it (KS_KEYSTONE_RELEASE, e.g.
   * `zed`), for targets whose keystone package the suite cannot read (external clouds).
   */
  keystoneRelease?: string;
  /** How the chaos suite injects faults: into the suite's own containers, or through Chaos Mesh in Kubernetes. */
  chaosInjector: ChaosInjector;
  /** Set exactly when chaosInjector is 'chaos-mesh'. */
  chaosMesh?: ChaosMeshSettings;
  /** Deterministic conflict injection inside the embedded database (KS_INJECT_CONFLICTS); undefined = off. */
  injectConflicts?: InjectionSettings;
}

export interface CockroachSettings {
  /** KS_WHEELS_DIR: a directory holding the sqlalchemy-cockroachdb wheel (installed with --no-index). */
  wheelsDir?: string;
  /** KS_PIP_INDEX: a package index URL to install it from. */
  pipIndex?: string;
  /** KS_COCKROACH_DIALECT_SPEC: the pip requirement (default `sqlalchemy-cockroachdb<2`: Zed's SQLAlchemy is 1.4). */
  dialectSpec: string;
  /** KS_COCKROACH_INJECT_RETRIES: Keystone's sessions run with `inject_retry_errors_enabled = true`. */
  injectRetries: boolean;
}

export type ChaosInjector = 'containers' | 'chaos-mesh';
export interface ChaosMeshSettings {
  /** Namespace of the target pods, and where the chaos objects are created. */
  namespace: string;
  databaseSelectors: RegionSelectors;
  keystoneSelectors?: RegionSelectors;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === '') return fallback;
  const v = value.toLowerCase().replace(/[-_]/g, ' ') as T;
  const match = allowed.find((a) => a.replace(/[-_]/g, ' ') === v);
  if (!match) throw new ConfigError(`${name}=${value} is not one of: ${allowed.join(', ')}`);
  return match;
}

/** Default of KS_STORM_DB_LATENCY_MS: see README (provocation figures). */
export const STORM_DB_LATENCY_MS = 5;

/** The one parser of integer settings: an environment variable, or its default, within [min, max]. */
export function intSetting(name: string, fallback: number, min: number, max: number, env: NodeJS.ProcessEnv = process.env): number {
  return int(name, env[name], fallback, min, max);
}

function int(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name}=${value} must be an integer in [${min}, ${max}]`);
  return n;
}

function bool(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`${name}=${value} must be true or false`);
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const backend = oneOf('KS_BACKEND', env.KS_BACKEND, ['postgres', 'galera', 'cockroachdb'] as const, 'postgres');
  // KS_BACKEND=cockroachdb without KS_COCKROACH_IMAGE is not an error: the cluster setup skips every
  // test, naming the variable, and the verdict says "not run" (lib/cluster/topology-cockroachdb.ts).
  if (env.KS_KEYSTONE_PATCH && env.KS_KEYSTONE_IMAGE) {
    throw new ConfigError('set KS_KEYSTONE_PATCH or KS_KEYSTONE_IMAGE, not both');
  }
  return {
    target: oneOf('KS_TARGET', env.KS_TARGET, ['embedded', 'external'] as const, 'embedded'),
    backend,
    pgIsolation: oneOf('KS_PG_ISOLATION', env.KS_PG_ISOLATION, ['serializable', 'read committed'] as const, 'serializable'),
    keystonePatch: env.KS_KEYSTONE_PATCH && env.KS_KEYSTONE_PATCH !== 'none' ? env.KS_KEYSTONE_PATCH : undefined,
    keystoneImage: env.KS_KEYSTONE_IMAGE || undefined,
    cockroachImage: env.KS_COCKROACH_IMAGE || undefined,
    cockroach: cockroachSettings(env, backend),
    topologySize: int('KS_TOPOLOGY_SIZE', env.KS_TOPOLOGY_SIZE, 3, 1, 9),
    apiNodes: int('KS_API_NODES', env.KS_API_NODES, 2, 1, 2),
    readBack: bool('KS_READ_BACK', env.KS_READ_BACK, true),
    uwsgiProcesses: int('KS_UWSGI_PROCESSES', env.KS_UWSGI_PROCESSES, 4, 1, 32),
    passwordHashRounds: int('KS_PASSWORD_HASH_ROUNDS', env.KS_PASSWORD_HASH_ROUNDS, 4, 4, 31),
    enforceScope: bool('KS_ENFORCE_SCOPE', env.KS_ENFORCE_SCOPE, false),
    policyFile: policyFile(env.KS_POLICY_FILE),
    concurrency: int('KS_CONCURRENCY', env.KS_CONCURRENCY, 32, 1, 1024),
    requestTimeoutMs: int('KS_REQUEST_TIMEOUT_MS', env.KS_REQUEST_TIMEOUT_MS, 60_000, 1_000, 600_000),
    stormDatabaseLatencyMs: int('KS_STORM_DB_LATENCY_MS', env.KS_STORM_DB_LATENCY_MS, STORM_DB_LATENCY_MS, 0, 1_000),
    // Exactly 0 or 1, as the chaos guards read it (chaos/fault.ts): 'true' must not look like an opt-in here and be refused there.
    allowExternalChaos: oneOf('KS_ALLOW_EXTERNAL_CHAOS', env.KS_ALLOW_EXTERNAL_CHAOS, ['0', '1'] as const, '0') === '1',
    resourcePrefix: env.KS_RESOURCE_PREFIX || 'ksgate',
    knownDefectsFile: knownDefectsFile(env.KS_KNOWN_DEFECTS),
    keystoneRelease: env.KS_KEYSTONE_RELEASE?.trim().toLowerCase() || undefined,
    ...chaosInjection(env),
    injectConflicts: conflictInjection(env, backend),
  };
}

/** KS_POLICY_FILE must name a readable file: a typo would silently gate the default policy. */
function policyFile(value: string | undefined): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (!existsSync(v)) throw new ConfigError(`KS_POLICY_FILE=${v}: no such file`);
  return v;
}

/**
 * KS_INJECT_CONFLICTS: off (default) | on / first-attempt (the first write of every transaction
 * fails once, its retry passes) | every-N (the first write of every Nth transaction fails).
 * KS_INJECT_POINT: statement | commit | alternate (default; PostgreSQL only, MariaDB: statement).
 */
function conflictInjection(env: NodeJS.ProcessEnv, backend: Backend): InjectionSettings | undefined {
  const value = (env.KS_INJECT_CONFLICTS ?? '').trim().toLowerCase();
  if (value === '' || /^(0|off|false|no)$/.test(value)) return undefined;
  let mode: InjectionSettings['mode'];
  let every = 1;
  if (/^(1|on|true|yes|first-attempt)$/.test(value)) mode = 'first-attempt';
  else {
    const m = /^every-(\d+)$/.exec(value);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > 1_000_000) throw new ConfigError(`KS_INJECT_CONFLICTS=${env.KS_INJECT_CONFLICTS} is not one of: off, on, first-attempt, every-N (N >= 1)`);
    mode = 'every';
    every = Number(m[1]);
  }
  if ((env.KS_TARGET ?? 'embedded') !== 'embedded') {
    throw new ConfigError('KS_INJECT_CONFLICTS needs the embedded target: the injector installs triggers in the database the suite started (on CockroachDB use its own inject_retry_errors_enabled)');
  }
  if (backend === 'cockroachdb') throw new ConfigError('KS_INJECT_CONFLICTS works on postgres and galera; CockroachDB has its own: SET inject_retry_errors_enabled = true');
  const point = oneOf('KS_INJECT_POINT', env.KS_INJECT_POINT, ['alternate', 'statement', 'commit'] as const, backend === 'galera' ? 'statement' : 'alternate');
  if (backend === 'galera' && point !== 'statement') throw new ConfigError(`KS_INJECT_POINT=${point}: MariaDB/Galera has no deferred triggers, only 'statement' is possible`);
  // retrySeconds 5, not 2: on a loaded 2-core machine a retry's first write can come more than 2 s
  // after the injection it answers, and was then injected again as if it were a new request.
  return { mode, every, point, ttlSeconds: 30, retrySeconds: 5 };
}

/** KS_WHEELS_DIR / KS_PIP_INDEX / KS_COCKROACH_DIALECT_SPEC / KS_COCKROACH_INJECT_RETRIES. */
function cockroachSettings(env: NodeJS.ProcessEnv, backend: Backend): CockroachSettings {
  const injectRetries = bool('KS_COCKROACH_INJECT_RETRIES', env.KS_COCKROACH_INJECT_RETRIES, false);
  if (injectRetries && backend !== 'cockroachdb') throw new ConfigError(`KS_COCKROACH_INJECT_RETRIES=${env.KS_COCKROACH_INJECT_RETRIES} needs KS_BACKEND=cockroachdb (on postgres and galera use KS_INJECT_CONFLICTS)`);
  const wheelsDir = env.KS_WHEELS_DIR?.trim() || undefined;
  const pipIndex = env.KS_PIP_INDEX?.trim() || undefined;
  if (wheelsDir && pipIndex) throw new ConfigError('set KS_WHEELS_DIR or KS_PIP_INDEX, not both');
  if (pipIndex && !/^https?:\/\/[^\s]+$/.test(pipIndex)) throw new ConfigError(`KS_PIP_INDEX=${pipIndex} must be an http(s) URL of a package index`);
  const dialectSpec = env.KS_COCKROACH_DIALECT_SPEC?.trim() || 'sqlalchemy-cockroachdb<2';
  if (!/^sqlalchemy-cockroachdb\b[\w.,<>=!~ *-]*$/i.test(dialectSpec)) throw new ConfigError(`KS_COCKROACH_DIALECT_SPEC=${dialectSpec} must be a pip requirement for sqlalchemy-cockroachdb, e.g. sqlalchemy-cockroachdb<2`);
  return { wheelsDir, pipIndex, dialectSpec, injectRetries };
}

/** Debian's Zed defects ship with the gate; `none` makes every defect a failure again. */
export const DEFAULT_KNOWN_DEFECTS = 'expectations/keystone-zed.yaml';

function knownDefectsFile(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return DEFAULT_KNOWN_DEFECTS;
  return /^(none|off|0|false)$/i.test(value) ? undefined : value;
}

function chaosInjection(env: NodeJS.ProcessEnv): Pick<Settings, 'chaosInjector' | 'chaosMesh'> {
  const chaosInjector = oneOf('KS_CHAOS_INJECTOR', env.KS_CHAOS_INJECTOR, ['containers', 'chaos-mesh'] as const, 'containers');
  if (chaosInjector === 'containers') return { chaosInjector };
  if (oneOf('KS_TARGET', env.KS_TARGET, ['embedded', 'external'] as const, 'embedded') !== 'external') {
    throw new ConfigError('KS_CHAOS_INJECTOR=chaos-mesh needs KS_TARGET=external: the embedded cluster runs in docker, out of Chaos Mesh\'s reach');
  }
  const namespace = env.KS_CHAOS_MESH_NAMESPACE ?? '';
  if (!DNS_LABEL.test(namespace)) {
    throw new ConfigError(`KS_CHAOS_MESH_NAMESPACE=${namespace} must be a Kubernetes namespace name (it is required with KS_CHAOS_INJECTOR=chaos-mesh)`);
  }
  if (!env.KS_CHAOS_MESH_DATABASE_SELECTORS) {
    throw new ConfigError('KS_CHAOS_INJECTOR=chaos-mesh needs KS_CHAOS_MESH_DATABASE_SELECTORS, e.g. RegionOne=app.kubernetes.io/instance=galera-0;RegionTwo=...');
  }
  const keystone = env.KS_CHAOS_MESH_KEYSTONE_SELECTORS;
  return {
    chaosInjector,
    chaosMesh: {
      namespace,
      databaseSelectors: regionSelectors('KS_CHAOS_MESH_DATABASE_SELECTORS', env.KS_CHAOS_MESH_DATABASE_SELECTORS),
      ...(keystone ? { keystoneSelectors: regionSelectors('KS_CHAOS_MESH_KEYSTONE_SELECTORS', keystone) } : {}),
    },
  };
}

const DNS_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function regionSelectors(name: string, value: string): RegionSelectors {
  try {
    return parseRegionSelectors(value);
  } catch (e) {
    throw new ConfigError(`${name}: ${(e as Error).message}`);
  }
}
