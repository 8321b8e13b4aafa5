// The Chaos Mesh injector against a fake Kubernetes API server on loopback: the exact method,
// path and body it sends for each fault, that heal deletes the object, and the external guard.
import { test, expect } from '@playwright/test';
import { ChaosNotAllowedError, withFault, type Fault } from '../chaos/fault.js';
import {
  goDuration,
  networkDelay,
  networkEmulation,
  networkLoss,
  networkPartition,
  podFailure,
  podKill,
  type ChaosMeshCluster,
} from '../chaos/injectors/chaos-mesh.js';
import { FakeApiServer } from './fake-kube-api.js';

let api: FakeApiServer;
let cluster: ChaosMeshCluster;

test.beforeEach(async () => {
  api = await new FakeApiServer().start();
  cluster = { kubeConfig: api.kubeConfig(), namespace: 'chaos-testing', ownedBySuite: true };
});

test.afterEach(async () => {
  await api.stop();
});

const PODCHAOS = '/apis/chaos-mesh.org/v1alpha1/namespaces/chaos-testing/podchaos';
const NETWORKCHAOS = '/apis/chaos-mesh.org/v1alpha1/namespaces/chaos-testing/networkchaos';
const galera2 = { namespaces: ['keystone'], labelSelectors: { 'app.kubernetes.io/instance': 'galera-2' } };
const galeraPeers = { namespaces: ['keystone'], labelSelectors: { 'app.kubernetes.io/name': 'galera' } };
const metadata = (name: string) => ({
  name,
  namespace: 'chaos-testing',
  labels: { 'app.kubernetes.io/managed-by': 'ks-gate' },
});

/** Injects, heals, and returns what the API server saw, checking the create/delete/confirm shape. */
async function injectAndHeal(fault: Fault, collection: string, name: string): Promise<unknown> {
  await fault.inject();
  await fault.heal();
  expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
    `POST ${collection}`,
    `DELETE ${collection}/${name}`,
    `GET ${collection}/${name}`, // waits until the finalizer let it go
  ]);
  return api.requests[0]!.body;
}

test('PodChaos pod-kill', async () => {
  const fault = podKill(cluster, { name: 'kill-galera2', selector: galera2, mode: 'one', durationMs: 30_000, gracePeriodSeconds: 0 });
  expect(fault.kind).toBe('pod-kill');
  expect(await injectAndHeal(fault, PODCHAOS, 'kill-galera2')).toEqual({
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: 'PodChaos',
    metadata: metadata('kill-galera2'),
    spec: {
      action: 'pod-kill',
      gracePeriod: 0,
      selector: galera2,
      mode: 'one',
      duration: '30s',
    },
  });
});

test('PodChaos pod-failure', async () => {
  const fault = podFailure(cluster, { name: 'fail-galera2', selector: galera2, durationMs: 45_000 });
  expect(await injectAndHeal(fault, PODCHAOS, 'fail-galera2')).toEqual({
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: 'PodChaos',
    metadata: metadata('fail-galera2'),
    spec: { action: 'pod-failure', selector: galera2, mode: 'all', duration: '45s' },
  });
});

test('NetworkChaos delay with latency, jitter and a target', async () => {
  const fault = networkDelay(cluster, {
    name: 'wan-150',
    selector: galera2,
    latencyMs: 150,
    jitterMs: 10,
    correlationPercent: 25,
    direction: 'to',
    target: { selector: galeraPeers, mode: 'all' },
    durationMs: 60_000,
  });
  expect(fault.kind).toBe('latency');
  expect(await injectAndHeal(fault, NETWORKCHAOS, 'wan-150')).toEqual({
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: 'NetworkChaos',
    metadata: metadata('wan-150'),
    spec: {
      action: 'delay',
      delay: { latency: '150ms', jitter: '10ms', correlation: '25' },
      direction: 'to',
      target: { selector: galeraPeers, mode: 'all' },
      selector: galera2,
      mode: 'all',
      duration: '60s',
    },
  });
});

test('NetworkChaos loss takes a probability and sends a percentage', async () => {
  const fault = networkLoss(cluster, { name: 'lossy', selector: galera2, loss: 0.07, durationMs: 1_500 });
  expect(await injectAndHeal(fault, NETWORKCHAOS, 'lossy')).toEqual({
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: 'NetworkChaos',
    metadata: metadata('lossy'),
    spec: { action: 'loss', loss: { loss: '7' }, selector: galera2, mode: 'all', duration: '1500ms' },
  });
  expect(() => networkLoss(cluster, { selector: galera2, loss: 7, durationMs: 1_000 })).toThrow(RangeError);
});

test('NetworkChaos partition defaults to both directions', async () => {
  const fault = networkPartition(cluster, {
    name: 'cut-galera2',
    selector: galera2,
    target: { selector: galeraPeers, mode: 'all' },
    durationMs: 20_000,
  });
  expect(fault.kind).toBe('partition');
  expect(await injectAndHeal(fault, NETWORKCHAOS, 'cut-galera2')).toEqual({
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: 'NetworkChaos',
    metadata: metadata('cut-galera2'),
    spec: {
      action: 'partition',
      direction: 'both',
      target: { selector: galeraPeers, mode: 'all' },
      selector: galera2,
      mode: 'all',
      duration: '20s',
    },
  });
});

test('NetworkChaos netem carries delay and loss in one object (two objects on one pod would override each other)', async () => {
  const fault = networkEmulation(cluster, {
    name: 'wan',
    selector: galera2,
    latencyMs: 100,
    jitterMs: 20,
    loss: 0.01,
    direction: 'both',
    target: { selector: galeraPeers, mode: 'all' },
    durationMs: 20_000,
  });
  expect(fault.kind).toBe('latency');
  expect(await injectAndHeal(fault, NETWORKCHAOS, 'wan')).toEqual({
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: 'NetworkChaos',
    metadata: metadata('wan'),
    spec: {
      action: 'netem',
      delay: { latency: '100ms', jitter: '20ms' },
      loss: { loss: '1' },
      direction: 'both',
      target: { selector: galeraPeers, mode: 'all' },
      selector: galera2,
      mode: 'all',
      duration: '20s',
    },
  });
  expect(networkEmulation(cluster, { selector: galera2, loss: 0.5, durationMs: 1_000 }).kind).toBe('loss');
  expect(() => networkEmulation(cluster, { selector: galera2, durationMs: 1_000 })).toThrow(RangeError);
  expect(() => networkEmulation(cluster, { selector: galera2, loss: 2, durationMs: 1_000 })).toThrow(RangeError);
});

test('withFault creates, holds and deletes; a generated name is DNS-safe', async () => {
  const events: string[] = [];
  const fault = podFailure(cluster, { selector: galera2, durationMs: 200 });
  await withFault(fault, 200, undefined, (event) => events.push(event.type));
  expect(events).toEqual(['fault-start', 'fault-end']);
  const created = api.requests[0]!.body as { metadata: { name: string } };
  expect(created.metadata.name).toMatch(/^ks-gate-pod-failure-[0-9a-f]{8}$/);
  expect(api.requests.map((r) => r.method)).toEqual(['POST', 'DELETE', 'GET']);
});

test('heal tolerates an object that is already gone (404)', async () => {
  const fault = podKill(cluster, { name: 'gone', selector: galera2, durationMs: 5_000 });
  await fault.inject();
  await fault.heal();
  await fault.heal(); // second delete answers 404
  expect(api.requests.at(-1)).toMatchObject({ method: 'DELETE', path: `${PODCHAOS}/gone` });
});

test('guard: an external cluster needs KS_ALLOW_EXTERNAL_CHAOS=1, and heal then touches nothing', async () => {
  const saved = process.env.KS_ALLOW_EXTERNAL_CHAOS;
  try {
    delete process.env.KS_ALLOW_EXTERNAL_CHAOS;
    const external = { ...cluster, ownedBySuite: false };
    const refused = podKill(external, { name: 'nope', selector: galera2, durationMs: 5_000 });
    await expect(refused.inject()).rejects.toBeInstanceOf(ChaosNotAllowedError);
    await refused.heal();
    expect(api.requests).toEqual([]);

    process.env.KS_ALLOW_EXTERNAL_CHAOS = '1';
    const allowed = podKill(external, { name: 'yes', selector: galera2, durationMs: 5_000 });
    await allowed.inject();
    await allowed.heal();
    expect(api.requests.map((r) => r.method)).toEqual(['POST', 'DELETE', 'GET']);
  } finally {
    if (saved === undefined) delete process.env.KS_ALLOW_EXTERNAL_CHAOS;
    else process.env.KS_ALLOW_EXTERNAL_CHAOS = saved;
  }
});

test('durations are written as Go durations', () => {
  expect(goDuration(30_000)).toBe('30s');
  expect(goDuration(1_500)).toBe('1500ms');
  expect(goDuration(250)).toBe('250ms');
});
