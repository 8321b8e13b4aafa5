// Kubernetes faults through Chaos Mesh (chaos-mesh.org/v1alpha1): PodChaos pod-kill/pod-failure
// and NetworkChaos delay/loss/partition. inject creates the custom object, heal deletes it and
// waits until it is gone (Chaos Mesh recovers the pods through its finalizer).
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { assertChaosAllowed, type Fault, type FaultKind } from '../fault.js';

export const CHAOS_MESH_GROUP = 'chaos-mesh.org';
export const CHAOS_MESH_VERSION = 'v1alpha1';

export type ChaosMeshMode = 'one' | 'all' | 'fixed' | 'fixed-percent' | 'random-max-percent';
export type ChaosMeshDirection = 'to' | 'from' | 'both';

export interface PodSelector {
  namespaces: string[];
  labelSelectors: Record<string, string>;
}

/** Chaos Mesh's PodSelector: which pods, and how many of them (value for the fixed/percent modes). */
export interface PodTargeting {
  selector: PodSelector;
  /** Defaults to 'all': the selector is expected to name the target precisely. */
  mode?: ChaosMeshMode;
  value?: string;
}

export interface ChaosMeshCluster {
  kubeConfig: KubeConfig;
  /** Namespace the chaos objects are created in. */
  namespace: string;
  /** True only for a cluster the suite started itself; otherwise KS_ALLOW_EXTERNAL_CHAOS=1 is required. */
  ownedBySuite?: boolean;
}

export interface ChaosMeshFaultOptions extends PodTargeting {
  /**
   * Written into the object as spec.duration, so Chaos Mesh recovers on its own even if this
   * process dies before healing. Pass the same bound to withFault.
   */
  durationMs: number;
  /** Object name; generated (ks-gate-<action>-<random>) when left out. */
  name?: string;
}

const HEAL_WAIT_MS = 30_000;
const PLURAL = { PodChaos: 'podchaos', NetworkChaos: 'networkchaos' } as const;
type ChaosKind = keyof typeof PLURAL;

export function podKill(cluster: ChaosMeshCluster, options: ChaosMeshFaultOptions & { gracePeriodSeconds?: number }): Fault {
  return chaosMeshFault(cluster, 'pod-kill', 'PodChaos', options, {
    action: 'pod-kill',
    ...(options.gracePeriodSeconds === undefined ? {} : { gracePeriod: options.gracePeriodSeconds }),
  });
}

export function podFailure(cluster: ChaosMeshCluster, options: ChaosMeshFaultOptions): Fault {
  return chaosMeshFault(cluster, 'pod-failure', 'PodChaos', options, { action: 'pod-failure' });
}

export interface ChaosMeshNetworkOptions extends ChaosMeshFaultOptions {
  direction?: ChaosMeshDirection;
  /** The peer side: only traffic between the selected pods and these is affected. */
  target?: PodTargeting;
  externalTargets?: string[];
}

export function networkDelay(
  cluster: ChaosMeshCluster,
  options: ChaosMeshNetworkOptions & { latencyMs: number; jitterMs?: number; correlationPercent?: number },
): Fault {
  const delay: Record<string, string> = { latency: `${options.latencyMs}ms` };
  if (options.jitterMs !== undefined) delay.jitter = `${options.jitterMs}ms`;
  if (options.correlationPercent !== undefined) delay.correlation = percent(options.correlationPercent / 100);
  return chaosMeshFault(cluster, 'latency', 'NetworkChaos', options, {
    action: 'delay',
    delay,
    ...networkScope(options),
  });
}

export function networkLoss(
  cluster: ChaosMeshCluster,
  options: ChaosMeshNetworkOptions & { /** probability, 0..1 like the proxy's */ loss: number; correlationPercent?: number },
): Fault {
  if (!(options.loss >= 0 && options.loss <= 1)) throw new RangeError(`loss must be in [0, 1], got ${options.loss}`);
  const loss: Record<string, string> = { loss: percent(options.loss) };
  if (options.correlationPercent !== undefined) loss.correlation = percent(options.correlationPercent / 100);
  return chaosMeshFault(cluster, 'loss', 'NetworkChaos', options, {
    action: 'loss',
    loss,
    ...networkScope(options),
  });
}

export function networkPartition(cluster: ChaosMeshCluster, options: ChaosMeshNetworkOptions): Fault {
  return chaosMeshFault(cluster, 'partition', 'NetworkChaos', options, {
    action: 'partition',
    ...networkScope({ direction: 'both', ...options }),
  });
}

/**
 * NetworkChaos netem: delay and loss together in one object. Two NetworkChaos objects (a delay
 * and a loss) on the same pods and peers do not add up: the later overrides the earlier
 * (chaos-mesh/chaos-mesh#3631), so WAN conditions must be one netem object.
 */
export function networkEmulation(
  cluster: ChaosMeshCluster,
  options: ChaosMeshNetworkOptions & { latencyMs?: number; jitterMs?: number; /** probability, 0..1 */ loss?: number },
): Fault {
  if (options.latencyMs === undefined && options.loss === undefined) throw new RangeError('netem needs latencyMs or loss');
  if (options.loss !== undefined && !(options.loss >= 0 && options.loss <= 1)) throw new RangeError(`loss must be in [0, 1], got ${options.loss}`);
  return chaosMeshFault(cluster, options.latencyMs === undefined ? 'loss' : 'latency', 'NetworkChaos', options, {
    action: 'netem',
    ...(options.latencyMs === undefined ? {} : { delay: { latency: `${options.latencyMs}ms`, ...(options.jitterMs === undefined ? {} : { jitter: `${options.jitterMs}ms` }) } }),
    ...(options.loss === undefined ? {} : { loss: { loss: percent(options.loss) } }),
    ...networkScope(options),
  });
}

function chaosMeshFault(
  cluster: ChaosMeshCluster,
  kind: FaultKind,
  chaosKind: ChaosKind,
  options: ChaosMeshFaultOptions,
  actionSpec: Record<string, unknown>,
): Fault {
  if (!Number.isFinite(options.durationMs) || options.durationMs <= 0) {
    throw new RangeError(`durationMs must be positive, got ${options.durationMs}`);
  }
  const name = options.name ?? `ks-gate-${String(actionSpec.action)}-${randomBytes(4).toString('hex')}`;
  const body = {
    apiVersion: `${CHAOS_MESH_GROUP}/${CHAOS_MESH_VERSION}`,
    kind: chaosKind,
    metadata: { name, namespace: cluster.namespace, labels: { 'app.kubernetes.io/managed-by': 'ks-gate' } },
    spec: {
      ...actionSpec,
      ...podTargeting(options),
      duration: goDuration(options.durationMs),
    },
  };
  const ref = { group: CHAOS_MESH_GROUP, version: CHAOS_MESH_VERSION, namespace: cluster.namespace, plural: PLURAL[chaosKind] };
  const api = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
  let attempted = false;

  return {
    name: `${kind} ${describeSelector(options.selector)} (${chaosKind} ${cluster.namespace}/${name})`,
    kind,
    async inject() {
      assertChaosAllowed({
        description: `Kubernetes cluster ${cluster.kubeConfig.getCurrentCluster()?.server ?? '(unknown)'}`,
        ownedBySuite: cluster.ownedBySuite === true,
      });
      attempted = true;
      await api.createNamespacedCustomObject({ ...ref, body });
    },
    async heal() {
      if (!attempted) return; // refused by the guard, or never injected: touch nothing
      try {
        await api.deleteNamespacedCustomObject({ ...ref, name });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        return;
      }
      // The finalizer keeps the object until Chaos Mesh has recovered the pods: wait for that.
      const deadline = Date.now() + HEAL_WAIT_MS;
      for (;;) {
        try {
          await api.getNamespacedCustomObject({ ...ref, name });
        } catch (err) {
          if (isNotFound(err)) return;
          throw err;
        }
        if (Date.now() > deadline) throw new Error(`${chaosKind} ${cluster.namespace}/${name} still present ${HEAL_WAIT_MS} ms after delete`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
  };
}

function podTargeting(targeting: PodTargeting): Record<string, unknown> {
  return {
    selector: { namespaces: targeting.selector.namespaces, labelSelectors: targeting.selector.labelSelectors },
    mode: targeting.mode ?? 'all',
    ...(targeting.value === undefined ? {} : { value: targeting.value }),
  };
}

function networkScope(options: ChaosMeshNetworkOptions): Record<string, unknown> {
  return {
    ...(options.direction === undefined ? {} : { direction: options.direction }),
    ...(options.target === undefined ? {} : { target: podTargeting(options.target) }),
    ...(options.externalTargets === undefined ? {} : { externalTargets: options.externalTargets }),
  };
}

/** Chaos Mesh takes Go durations ("300ms", "2m"); whole seconds read better in kubectl. */
export function goDuration(ms: number): string {
  return Number.isInteger(ms / 1000) ? `${ms / 1000}s` : `${Math.round(ms)}ms`;
}

/** Chaos Mesh wants percentages as strings: 0.25 -> "25". */
function percent(fraction: number): string {
  return String(Number((fraction * 100).toFixed(4)));
}

function describeSelector(selector: PodSelector): string {
  const labels = Object.entries(selector.labelSelectors).map(([key, value]) => `${key}=${value}`);
  return `${selector.namespaces.join(',')}[${labels.join(',')}]`;
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 404;
}
