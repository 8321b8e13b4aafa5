// The fault factory the chaos specs build their faults through: under KS_CHAOS_INJECTOR=chaos-mesh
// each fault sends the right Chaos Mesh objects to a fake Kubernetes API server and deletes them
// on heal; under `containers` it builds what the specs built before (same names, same proxy
// settings); each injector says when it cannot target every region; the settings refuse bad
// selectors, naming the variable.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ChaosNotAllowedError, withFault, type FaultEvent } from '../chaos/fault.js';
import { CHAOS_MESH_BOUND_MARGIN_MS, chaosFaults, DEFAULT_FAULT_HOLD_MS, loadKubeConfig, type ChaosFaultKind } from '../chaos/fault-factory.js';
import type { ClusterInfo, RegionEndpoint } from '../lib/cluster/cluster-info.js';
import { ConfigError, readSettings, type Settings } from '../lib/config/settings.js';
import { FakeApiServer } from './fake-kube-api.js';

const NAMESPACE = 'keystone';
const PODCHAOS = `/apis/chaos-mesh.org/v1alpha1/namespaces/${NAMESPACE}/podchaos`;
const NETWORKCHAOS = `/apis/chaos-mesh.org/v1alpha1/namespaces/${NAMESPACE}/networkchaos`;
const DB_SELECTORS = 'RegionOne=app.kubernetes.io/instance=galera-0; RegionTwo=app.kubernetes.io/instance=galera-1; RegionThree=app.kubernetes.io/instance=galera-2';
const KS_SELECTORS = 'RegionOne=app=keystone,region=one;RegionTwo=app=keystone,region=two;RegionThree=app=keystone,region=three';
const ALL_KINDS: ChaosFaultKind[] = ['crash', 'freeze', 'partition', 'disconnect', 'replication-latency', 'keystone-database-latency'];

const meshEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  KS_TARGET: 'external',
  KS_CHAOS_INJECTOR: 'chaos-mesh',
  KS_CHAOS_MESH_NAMESPACE: NAMESPACE,
  KS_CHAOS_MESH_DATABASE_SELECTORS: DB_SELECTORS,
  KS_CHAOS_MESH_KEYSTONE_SELECTORS: KS_SELECTORS,
  ...extra,
});

/** Pod targeting as the objects must carry it. */
const db = (n: number) => ({ namespaces: [NAMESPACE], labelSelectors: { 'app.kubernetes.io/instance': `galera-${n}` } });
const ks = (region: string) => ({ namespaces: [NAMESPACE], labelSelectors: { app: 'keystone', region } });

function cluster(regions: Array<Partial<RegionEndpoint>>, target: ClusterInfo['target'] = 'external'): ClusterInfo {
  const names = ['RegionOne', 'RegionTwo', 'RegionThree'];
  return {
    target, backend: 'galera', keystoneVariant: target, runId: 'selftest', ownedBySuite: target === 'embedded',
    regions: regions.map((r, i) => ({ region: names[i]!, baseUrl: `http://127.0.0.1:${5001 + i}/v3`, ...r })),
    admin: { username: 'admin', password: 'not-a-secret' }, startedAt: new Date(0).toISOString(), bringUpSeconds: 0,
  };
}
const external = () => cluster([{}, {}, {}]);
const regionThree = (info: ClusterInfo) => info.regions[2]!;

/** What the fake API server saw, one line per request, object names resolved. */
const calls = (api: FakeApiServer) => api.requests.map((r) => `${r.method} ${r.path}`);
const created = (api: FakeApiServer) => api.requests.filter((r) => r.method === 'POST').map((r) => r.body as { kind: string; metadata: { name: string; namespace: string }; spec: Record<string, unknown> });

test.describe('chaos-mesh injector', () => {
  let api: FakeApiServer;
  let savedAllow: string | undefined;

  test.beforeEach(async () => {
    api = await new FakeApiServer().start();
    savedAllow = process.env.KS_ALLOW_EXTERNAL_CHAOS;
    process.env.KS_ALLOW_EXTERNAL_CHAOS = '1'; // the Kubernetes target is never the suite's own
  });
  test.afterEach(async () => {
    if (savedAllow === undefined) delete process.env.KS_ALLOW_EXTERNAL_CHAOS;
    else process.env.KS_ALLOW_EXTERNAL_CHAOS = savedAllow;
    await api.stop();
  });

  const meshFaults = (info = external(), env = meshEnv()) => chaosFaults(readSettings(env), info, { kubeConfig: api.kubeConfig() });

  /** Runs the fault through withFault (inject, short hold, heal) and checks every object created was deleted. */
  async function cycle(fault: ReturnType<ReturnType<typeof meshFaults>['crash']>): Promise<FaultEvent[]> {
    const events: FaultEvent[] = [];
    await withFault(fault, 50, undefined, (e) => events.push(e));
    expect(events.map((e) => [e.type, e.error])).toEqual([['fault-start', undefined], ['fault-end', undefined]]);
    expect(api.liveObjects(), 'objects left after the heal').toEqual([]);
    const deleted = api.requests.filter((r) => r.method === 'DELETE').map((r) => r.path).sort();
    const posted = api.requests.filter((r) => r.method === 'POST').map((r) => `${r.path}/${(r.body as { metadata: { name: string } }).metadata.name}`).sort();
    expect(deleted, 'heal deletes exactly what inject created').toEqual(posted);
    return events;
  }

  test('crash: a PodChaos pod-kill of the region\'s database pod, grace period 0, bounded by the hold', async () => {
    const fault = meshFaults().crash(regionThree(external()), { holdMs: 20_000 });
    expect(fault.name).toBe('crash RegionThree database pod (Chaos Mesh pod-kill)');
    expect(fault.kind).toBe('pod-kill');
    await cycle(fault);
    const [object] = created(api);
    expect(calls(api)).toEqual([`POST ${PODCHAOS}`, `DELETE ${PODCHAOS}/${object!.metadata.name}`, `GET ${PODCHAOS}/${object!.metadata.name}`]);
    expect(object).toMatchObject({ apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'PodChaos', metadata: { namespace: NAMESPACE } });
    expect(object!.spec).toEqual({ action: 'pod-kill', gracePeriod: 0, selector: db(2), mode: 'all', duration: `${(20_000 + CHAOS_MESH_BOUND_MARGIN_MS) / 1000}s` });
  });

  test('freeze: a PodChaos pod-failure of the region\'s database pod, bounded by the default hold', async () => {
    const fault = meshFaults().freeze(regionThree(external()));
    expect(fault.kind).toBe('pod-failure');
    await cycle(fault);
    expect(created(api).map((o) => [o.kind, o.spec])).toEqual([
      ['PodChaos', { action: 'pod-failure', selector: db(2), mode: 'all', duration: `${(DEFAULT_FAULT_HOLD_MS + CHAOS_MESH_BOUND_MARGIN_MS) / 1000}s` }],
    ]);
  });

  test('partition: the database pod cut both ways from each peer\'s database pod, one NetworkChaos per peer', async () => {
    const fault = meshFaults().partition(regionThree(external()));
    expect(fault.kind).toBe('partition');
    await cycle(fault);
    const duration = `${(DEFAULT_FAULT_HOLD_MS + CHAOS_MESH_BOUND_MARGIN_MS) / 1000}s`;
    expect(created(api).map((o) => [o.kind, o.spec])).toEqual([
      ['NetworkChaos', { action: 'partition', direction: 'both', target: { selector: db(0), mode: 'all' }, selector: db(2), mode: 'all', duration }],
      ['NetworkChaos', { action: 'partition', direction: 'both', target: { selector: db(1), mode: 'all' }, selector: db(2), mode: 'all', duration }],
    ]);
    expect(api.requests.every((r) => r.path.startsWith(NETWORKCHAOS))).toBe(true);
  });

  test('disconnect: the database pod cut from its peers and from its own Keystone pod', async () => {
    await cycle(meshFaults().disconnect(regionThree(external())));
    expect(created(api).map((o) => [o.spec.action, o.spec.direction, o.spec.selector, o.spec.target])).toEqual([
      ['partition', 'both', db(2), { selector: db(0), mode: 'all' }],
      ['partition', 'both', db(2), { selector: db(1), mode: 'all' }],
      ['partition', 'both', db(2), { selector: ks('three'), mode: 'all' }],
    ]);
  });

  test('replication latency: one netem object per pair of database pods, both ways, delay and loss together', async () => {
    const fault = meshFaults().replicationLatency({ latencyMs: 100, jitterMs: 20, loss: 0.01 }, { holdMs: 10_000 });
    expect(fault.name).toBe('WAN 100±20 ms, 1% loss between all nodes (Chaos Mesh)');
    expect(fault.kind).toBe('latency');
    await cycle(fault);
    const netem = { action: 'netem', delay: { latency: '100ms', jitter: '20ms' }, loss: { loss: '1' }, direction: 'both', mode: 'all', duration: '15s' };
    expect(created(api).map((o) => o.spec)).toEqual([
      { ...netem, selector: db(0), target: { selector: db(1), mode: 'all' } },
      { ...netem, selector: db(0), target: { selector: db(2), mode: 'all' } },
      { ...netem, selector: db(1), target: { selector: db(2), mode: 'all' } },
    ]);
  });

  test('Keystone-database latency: one netem object between the region\'s Keystone pod and its database pod', async () => {
    const fault = meshFaults().keystoneDatabaseLatency(regionThree(external()), { latencyMs: 50, jitterMs: 20, loss: 0.01 });
    expect(fault.name).toBe('RegionThree Keystone-database path 50±20 ms, 1% loss (Chaos Mesh)');
    await cycle(fault);
    expect(created(api).map((o) => o.spec)).toEqual([{
      action: 'netem', delay: { latency: '50ms', jitter: '20ms' }, loss: { loss: '1' }, direction: 'both',
      selector: ks('three'), mode: 'all', target: { selector: db(2), mode: 'all' }, duration: '20s',
    }]);
  });

  test('an inject that fails half-way through a set still heals what it created', async () => {
    api.failCreatesAfter(1); // the second NetworkChaos is refused
    const fault = meshFaults().partition(regionThree(external()));
    await expect(withFault(fault, 50)).rejects.toThrow();
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
    const [first] = created(api);
    expect(api.requests.some((r) => r.method === 'DELETE' && r.path === `${NETWORKCHAOS}/${first!.metadata.name}`)).toBe(true);
    expect(api.liveObjects()).toEqual([]);
  });

  test('without KS_ALLOW_EXTERNAL_CHAOS=1 nothing is sent to an external cluster, and heal touches nothing', async () => {
    delete process.env.KS_ALLOW_EXTERNAL_CHAOS;
    const fault = meshFaults().partition(regionThree(external()));
    await expect(fault.inject()).rejects.toBeInstanceOf(ChaosNotAllowedError);
    await fault.heal();
    expect(api.requests).toEqual([]);
  });

  test('unsupported: names the selector variable and the regions it misses', () => {
    expect(ALL_KINDS.map((k) => meshFaults().unsupported([k]))).toEqual(ALL_KINDS.map(() => undefined));

    const noKeystone = meshFaults(external(), meshEnv({ KS_CHAOS_MESH_KEYSTONE_SELECTORS: '' }));
    expect(noKeystone.unsupported(['crash', 'freeze', 'partition', 'replication-latency'])).toBeUndefined();
    expect(noKeystone.unsupported(['disconnect'])).toMatch(/KS_CHAOS_MESH_KEYSTONE_SELECTORS is not set \(needed for disconnect\)/);
    expect(noKeystone.unsupported(['keystone-database-latency'])).toMatch(/KS_CHAOS_MESH_KEYSTONE_SELECTORS/);

    const twoRegions = meshFaults(external(), meshEnv({ KS_CHAOS_MESH_DATABASE_SELECTORS: 'RegionOne=app=galera-0;Region3=app=galera-2;RegionTwo=app=galera-1' }));
    const reason = twoRegions.unsupported(['crash']);
    expect(reason).toMatch(/KS_CHAOS_MESH_DATABASE_SELECTORS names no pod for RegionThree/);
    expect(reason).toContain('it names RegionOne, Region3, RegionTwo');
    // Building the fault anyway fails loudly rather than targeting nothing.
    expect(() => twoRegions.crash(regionThree(external()))).toThrow(/no pod for RegionThree/);
  });
});

test.describe('containers injector', () => {
  const embedded = () => cluster([1, 2, 3].map((i) => ({
    databaseContainer: `db${i}`, databaseNetwork: `net${i}`,
    replicationProxyControlUrl: `http://127.0.0.1:1/repl${i}`, sqlProxyControlUrl: `http://127.0.0.1:1/sql${i}`,
  })), 'embedded');
  const containers = (info: ClusterInfo) => chaosFaults(readSettings({}), info);

  test('builds the faults the specs built before: same names and kinds', () => {
    const faults = containers(embedded());
    expect(faults.injector).toBe('containers');
    const r3 = regionThree(embedded());
    expect([faults.crash(r3), faults.freeze(r3), faults.partition(r3), faults.disconnect(r3)].map((f) => [f.name, f.kind])).toEqual([
      ['crash RegionThree database node', 'crash'],
      ['freeze RegionThree database node', 'freeze'],
      ['partition RegionThree (replication blackhole)', 'partition'],
      ['partition RegionThree database node from net3', 'partition'],
    ]);
    expect(faults.replicationLatency({ latencyMs: 100, jitterMs: 20, loss: 0.01 }).name).toBe('WAN 100±20 ms, 1% loss between all nodes');
    expect(faults.keystoneDatabaseLatency(r3, { latencyMs: 50, jitterMs: 20, loss: 0.01 }).name).toBe('RegionThree Keystone-database path 50±20 ms, 1% loss');
  });

  test('proxy faults: half of each link on each replication proxy, the whole path on the SQL proxy', async () => {
    // A fake proxy control API: GET answers "no faults", POST records what the injector set.
    const posted: Array<{ path: string; body: Record<string, unknown> }> = [];
    const server = http.createServer(async (req, res) => {
      let text = '';
      for await (const chunk of req) text += String(chunk);
      if (req.method === 'POST') posted.push({ path: req.url!, body: JSON.parse(text) as Record<string, unknown> });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.method === 'POST' ? JSON.parse(text) : { latencyMs: 0, jitterMs: 0, loss: 0, lossRetransmitMs: 200, partition: false, direction: 'both' }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    try {
      const info = cluster([1, 2, 3].map((i) => ({ replicationProxyControlUrl: `${base}/repl${i}`, sqlProxyControlUrl: `${base}/sql${i}` })), 'embedded');
      const faults = containers(info);
      await faults.replicationLatency({ latencyMs: 100, jitterMs: 20, loss: 0.01 }).inject();
      await faults.keystoneDatabaseLatency(regionThree(info), { latencyMs: 50, jitterMs: 20, loss: 0.01 }).inject();
      await faults.partition(regionThree(info)).inject();
      expect(posted.map((p) => [p.path, p.body.latencyMs, p.body.jitterMs, p.body.loss, p.body.partition, p.body.direction])).toEqual([
        ['/repl1/faults', 50, 10, 0.005, false, 'both'],
        ['/repl2/faults', 50, 10, 0.005, false, 'both'],
        ['/repl3/faults', 50, 10, 0.005, false, 'both'],
        ['/sql3/faults', 50, 20, 0.01, false, 'both'],
        ['/repl3/faults', 0, 0, 0, 'blackhole', 'both'],
      ]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('unsupported: what an external target without containers or proxies lacks, per fault', () => {
    expect(ALL_KINDS.map((k) => containers(embedded()).unsupported([k]))).toEqual(ALL_KINDS.map(() => undefined));
    const bare = containers(external());
    expect(bare.unsupported(['crash'])).toMatch(/needs databaseContainer for every region, which this external cluster does not expose.*KS_CHAOS_INJECTOR=chaos-mesh/);
    expect(bare.unsupported(['partition'])).toMatch(/needs replicationProxyControlUrl, databaseContainer/);
    // KS_DATABASE_CONTAINERS gives an external docker deployment its containers, never its proxies.
    const named = containers(cluster([{ databaseContainer: 'a' }, { databaseContainer: 'b' }, { databaseContainer: 'c' }]));
    expect(named.unsupported(['crash', 'freeze'])).toBeUndefined();
    expect(named.unsupported(['keystone-database-latency'])).toMatch(/needs sqlProxyControlUrl/);
  });
});

test.describe('settings', () => {
  test('containers by default; chaos-mesh reads namespace and per-region selectors', () => {
    expect(readSettings({})).toMatchObject({ chaosInjector: 'containers' });
    expect(readSettings({}).chaosMesh).toBeUndefined();
    const s = readSettings(meshEnv({ KS_CHAOS_MESH_DATABASE_SELECTORS: ' RegionOne = app.kubernetes.io/instance=galera-0 , tier==db ;RegionTwo=statefulset.kubernetes.io/pod-name=galera-1;' }));
    expect(s.chaosInjector).toBe('chaos-mesh');
    expect(s.chaosMesh).toEqual({
      namespace: NAMESPACE,
      databaseSelectors: { RegionOne: { 'app.kubernetes.io/instance': 'galera-0', tier: 'db' }, RegionTwo: { 'statefulset.kubernetes.io/pod-name': 'galera-1' } },
      keystoneSelectors: { RegionOne: { app: 'keystone', region: 'one' }, RegionTwo: { app: 'keystone', region: 'two' }, RegionThree: { app: 'keystone', region: 'three' } },
    } satisfies Settings['chaosMesh']);
    expect(readSettings(meshEnv({ KS_CHAOS_INJECTOR: 'Chaos_Mesh', KS_CHAOS_MESH_KEYSTONE_SELECTORS: '' })).chaosMesh?.keystoneSelectors).toBeUndefined();
  });

  test('bad selectors fail with the variable named', () => {
    const bad = [
      'RegionOne=app in (galera-0,galera-1)', // set-based
      'RegionOne=app!=galera-0',
      'RegionOne=!app',
      'RegionOne', // no selector
      '=app=galera-0', // no region
      'RegionOne=app=', // no value
      'RegionOne=app=galera-0,', // empty term
      'RegionOne=-app=galera-0', // key must start alphanumeric
      'RegionOne=Bad_Prefix/app=galera-0', // prefix must be a DNS subdomain
      `RegionOne=app=${'x'.repeat(64)}`, // value longer than 63
      'RegionOne=app=galera-0;RegionOne=app=galera-1', // region twice
      'RegionOne=app=galera-0,app=galera-1', // label twice
      ' ; ; ',
    ];
    for (const value of bad) {
      const attempt = () => readSettings(meshEnv({ KS_CHAOS_MESH_DATABASE_SELECTORS: value }));
      expect(attempt, value).toThrow(ConfigError);
      expect(attempt, value).toThrow(/^KS_CHAOS_MESH_DATABASE_SELECTORS: /);
    }
    expect(() => readSettings(meshEnv({ KS_CHAOS_MESH_KEYSTONE_SELECTORS: 'RegionOne=app in (keystone)' }))).toThrow(/^KS_CHAOS_MESH_KEYSTONE_SELECTORS: RegionOne: "app in \(keystone\)"/);
  });

  test('missing or bad chaos-mesh settings fail with the variable named', () => {
    expect(() => readSettings(meshEnv({ KS_CHAOS_MESH_NAMESPACE: '' }))).toThrow(/KS_CHAOS_MESH_NAMESPACE/);
    expect(() => readSettings(meshEnv({ KS_CHAOS_MESH_NAMESPACE: 'Keystone_NS' }))).toThrow(/KS_CHAOS_MESH_NAMESPACE=Keystone_NS/);
    expect(() => readSettings(meshEnv({ KS_CHAOS_MESH_DATABASE_SELECTORS: '' }))).toThrow(/needs KS_CHAOS_MESH_DATABASE_SELECTORS/);
    expect(() => readSettings(meshEnv({ KS_TARGET: 'embedded' }))).toThrow(/KS_CHAOS_INJECTOR=chaos-mesh needs KS_TARGET=external/);
    expect(() => readSettings({ KS_CHAOS_INJECTOR: 'litmus' })).toThrow(/KS_CHAOS_INJECTOR=litmus is not one of: containers, chaos-mesh/);
  });

  test('no Kubernetes credentials: building a Chaos Mesh fault fails naming KUBECONFIG, not a silent localhost', () => {
    test.skip(existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token'), 'running in a Kubernetes pod: its service account counts as credentials');
    const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
    const home = mkdtempSync(join(tmpdir(), 'ks-kube-'));
    try {
      delete process.env.KUBECONFIG;
      process.env.HOME = home; // no ~/.kube/config there
      const faults = chaosFaults(readSettings(meshEnv()), external());
      expect(faults.unsupported(['crash'])).toBeUndefined(); // not a skip: a misconfiguration fails
      expect(() => faults.crash(regionThree(external()))).toThrow(ConfigError);
      expect(() => loadKubeConfig()).toThrow(/KUBECONFIG/);
      process.env.KUBECONFIG = join(home, 'missing-kubeconfig');
      expect(() => loadKubeConfig()).toThrow(/^KUBECONFIG: cannot load/);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(home, { recursive: true, force: true });
    }
  });
});
