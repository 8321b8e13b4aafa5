// The injector contract every fault source implements, the bounded inject/hold/heal wrapper,
// and the guard that keeps the suite from breaking systems it did not start.
import { sleepAtLeast } from './clock.js';

export type FaultKind =
  | 'crash'
  | 'freeze'
  | 'partition'
  | 'latency'
  | 'loss'
  | 'pod-kill'
  | 'pod-failure';

export interface Fault {
  /** Stable, human-readable: appears in histories and reports ("freeze galera2"). */
  readonly name: string;
  readonly kind: FaultKind;
  inject(): Promise<void>;
  /** Must tolerate being called when inject() failed half-way or never took effect. */
  heal(): Promise<void>;
}

export interface FaultEvent {
  type: 'fault-start' | 'fault-end';
  name: string;
  kind: FaultKind;
  /** performance.now(), the clock the workload history uses. */
  time: number;
  wall: string;
  /** Set on fault-end when inject or heal failed. */
  error?: string;
}

export type FaultRecorder = (event: FaultEvent) => void;

/** Attempts at healing before giving up: a fault left in place poisons every later test. */
const HEAL_ATTEMPTS = 3;
const HEAL_RETRY_DELAY_MS = 500;

/**
 * Injects `fault`, holds it for `durationMs` (or until `body` settles, whichever comes first),
 * then heals it. Healing happens in a `finally`, also when injection or the body throws.
 *
 * fault-start is recorded just before inject() is called and fault-end just after heal()
 * returns, so [start, end] covers every moment the fault may have been in force.
 *
 * With a body, the fault is healed at `durationMs` even if the body is still running (every
 * fault is bounded); the body is still awaited and its result returned.
 */
export async function withFault<T = void>(
  fault: Fault,
  durationMs: number,
  body?: () => Promise<T>,
  recorder?: FaultRecorder,
): Promise<T | undefined> {
  if (!Number.isFinite(durationMs) || durationMs <= 0) {
    throw new RangeError(`fault ${fault.name}: duration must be a positive finite number of ms, got ${durationMs}`);
  }
  const record = (type: FaultEvent['type'], error?: unknown): void => {
    recorder?.({
      type,
      name: fault.name,
      kind: fault.kind,
      time: performance.now(),
      wall: new Date().toISOString(),
      ...(error === undefined ? {} : { error: errorText(error) }),
    });
  };

  let injectError: unknown;
  let ending: Promise<void> | undefined;
  // Heals once and records fault-end the moment healing returns, not when the body finishes.
  const endFault = (): Promise<void> =>
    (ending ??= healWithRetries(fault).then(
      () => record('fault-end', injectError),
      (healError: unknown) => {
        record('fault-end', healError);
        throw healError;
      },
    ));

  let failure: unknown;
  let result: T | undefined;
  const holdCancel = new AbortController();
  record('fault-start');
  try {
    try {
      await fault.inject();
    } catch (err) {
      injectError = err;
      throw err;
    }
    const held = sleepAtLeast(durationMs, holdCancel.signal);
    if (body) {
      const running = body();
      // Heal at the bound even if the body overruns it; the body's outcome is still awaited.
      await Promise.race([held.then(endFault).catch(noop), running.then(noop, noop)]);
      result = await running;
    } else {
      await held;
    }
  } catch (err) {
    failure = err;
  } finally {
    holdCancel.abort();
    let healError: unknown;
    try {
      await endFault();
    } catch (err) {
      healError = err;
    }
    if (failure !== undefined && healError !== undefined) {
      throw new AggregateError([failure, healError], `fault ${fault.name}: failed, and healing failed too`);
    }
    if (healError !== undefined) throw healError;
  }
  if (failure !== undefined) throw failure;
  return result;
}

async function healWithRetries(fault: Fault): Promise<void> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= HEAL_ATTEMPTS; attempt++) {
    try {
      await fault.heal();
      return;
    } catch (err) {
      lastError = err;
      if (attempt < HEAL_ATTEMPTS) await sleepAtLeast(HEAL_RETRY_DELAY_MS);
    }
  }
  throw new Error(`fault ${fault.name}: heal failed ${HEAL_ATTEMPTS} times: ${errorText(lastError)}`, {
    cause: lastError,
  });
}

/** What a fault acts on, as far as the safety guard needs to know. */
export interface ChaosTarget {
  /** e.g. "container galera2", "kubernetes https://10.0.0.1:6443 ns keystone". */
  description: string;
  /** True only when the suite itself created the target (its containers, its proxies). */
  ownedBySuite: boolean;
}

export const ALLOW_EXTERNAL_CHAOS_ENV = 'KS_ALLOW_EXTERNAL_CHAOS';

/** Only exactly KS_ALLOW_EXTERNAL_CHAOS=1 opts in (selftest/chaos-fault.spec.ts): the guard, the skip and the start refusal agree. */
export function externalChaosAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[ALLOW_EXTERNAL_CHAOS_ENV] === '1';
}

export class ChaosNotAllowedError extends Error {
  override readonly name = 'ChaosNotAllowedError';
}

/** Refuses to act on anything the suite did not start, unless the operator opted in. */
export function assertChaosAllowed(target: ChaosTarget): void {
  if (target.ownedBySuite) return;
  if (externalChaosAllowed()) return;
  throw new ChaosNotAllowedError(
    `refusing to inject faults into ${target.description}: the suite did not start it. ` +
      `Set ${ALLOW_EXTERNAL_CHAOS_ENV}=1 to allow chaos on external targets.`,
  );
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function noop(): void {}
