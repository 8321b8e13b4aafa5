// The Galera topology's plan, without containers: node environment, replication proxy routes,
// and that the addresses each node advertises are the ones its peers' proxies relay.
import { expect, test } from '@playwright/test';
import { proxyArguments } from '../lib/cluster/fault-proxy-node.js';
import { isSynced } from '../lib/cluster/galera-cluster.js';
import { galeraEnvironment, galeraNodeName, parseWsrepStatus, REPLICATION_ALIAS, replicationPorts } from '../lib/cluster/galera-node.js';
import { INBOUND, keystoneDatabaseUrl, regionName, replicationProxyName, replicationProxyRoutes, sqlProxyName, sqlProxyRoutes } from '../lib/cluster/topology-galera.js';

const RUN = 'abcd1234';
const SIZE = 3;

test.describe('galera topology plan @galera', () => {
  test('node environment: peers through the own proxy alias, own ports advertised, bootstrap only on node 1', { annotation: { type: 'id', description: '1b9a831b-e008-4448-93c3-c3c01cb02bb2' } }, () => {
    const n1 = galeraEnvironment({ runId: RUN, index: 1, size: SIZE, bootstrap: true, incomingAddress: 'sql-1:3306', dbPassword: 'pw' });
    expect(n1).toMatchObject({
      GALERA_NODE_NAME: 'galera-1', GALERA_BOOTSTRAP: '1', GALERA_GCOMM_PORT: '4601',
      GALERA_CLUSTER_ADDRESS: `gcomm://${REPLICATION_ALIAS}:4602,${REPLICATION_ALIAS}:4603`,
      GALERA_IST_ADDRESS: `tcp://${REPLICATION_ALIAS}:4701`, GALERA_IST_BIND: 'tcp://0.0.0.0:4701',
      GALERA_SST_ADDRESS: `${REPLICATION_ALIAS}:4801`, GALERA_DB_PASSWORD: 'pw', GALERA_DB_USER: 'keystone', GALERA_DB_NAME: 'keystone',
    });
    const n3 = galeraEnvironment({ runId: RUN, index: 3, size: SIZE, bootstrap: false, incomingAddress: 'sql-3:3306' });
    expect(n3.GALERA_BOOTSTRAP).toBe('0');
    expect(n3.GALERA_CLUSTER_ADDRESS).toBe(`gcomm://${REPLICATION_ALIAS}:4601,${REPLICATION_ALIAS}:4602`);
    expect(n3).not.toHaveProperty('GALERA_DB_PASSWORD');
    expect(() => galeraEnvironment({ runId: RUN, index: 1, size: SIZE, bootstrap: true, incomingAddress: 'x:3306' })).toThrow(/password/);
    expect(() => replicationPorts(0)).toThrow(RangeError);
  });

  test('replication proxies: every advertised peer port leads to that peer, across both proxies', { annotation: { type: 'id', description: 'e2649e52-b42d-4f6f-b017-96d2490d9d65' } }, () => {
    const routes = new Map(Array.from({ length: SIZE }, (_, k) => [k + 1, replicationProxyRoutes(RUN, k + 1, SIZE)]));
    for (const [i, rs] of routes) {
      expect(rs).toHaveLength(3 + 3 * (SIZE - 1));
      expect(new Set(rs.map((r) => r.listenPort)).size, `node ${i}: listen ports are distinct`).toBe(rs.length);
      // Inbound: what a peer's proxy delivers lands on this node's own ports.
      const own = replicationPorts(i);
      expect(rs.filter((r) => r.upstream.startsWith(`${galeraNodeName(RUN, i)}:`)).map((r) => [r.listenPort, r.upstream])).toEqual([
        [INBOUND.gcomm, `${galeraNodeName(RUN, i)}:${own.gcomm}`],
        [INBOUND.ist, `${galeraNodeName(RUN, i)}:${own.ist}`],
        [INBOUND.sst, `${galeraNodeName(RUN, i)}:${own.sst}`],
      ]);
    }
    // Follow node 1 dialling each address node 3 advertises: proxy 1 outbound, proxy 3 inbound, node 3.
    const env3 = galeraEnvironment({ runId: RUN, index: 3, size: SIZE, bootstrap: false, incomingAddress: 'x:3306' });
    const advertised = [Number(env3.GALERA_GCOMM_PORT), Number(env3.GALERA_IST_ADDRESS!.split(':').pop()), Number(env3.GALERA_SST_ADDRESS!.split(':').pop())];
    const lookup = (node: number, port: number) => routes.get(node)!.find((r) => r.listenPort === port)?.upstream;
    for (const port of advertised) {
      const hop1 = lookup(1, port);
      expect(hop1, `proxy 1 relays port ${port}`).toMatch(new RegExp(`^${replicationProxyName(RUN, 3)}:`));
      const hop2 = lookup(3, Number(hop1!.split(':')[1]));
      expect(hop2).toBe(`${galeraNodeName(RUN, 3)}:${port}`);
    }
    // A node never relays to itself through its own outbound routes.
    expect(routes.get(2)!.some((r) => r.upstream.startsWith(replicationProxyName(RUN, 2)))).toBe(false);
  });

  test('Keystone i reaches database i through its SQL proxy; regions are named as Keystone names them', { annotation: { type: 'id', description: 'b3da5eb0-684b-4524-9166-ee25152aed95' } }, () => {
    expect(sqlProxyRoutes(RUN, 2)).toEqual([{ listenPort: 3306, upstream: `${galeraNodeName(RUN, 2)}:3306` }]);
    expect(keystoneDatabaseUrl(RUN, 2, 'pw')).toBe(`mysql+pymysql://keystone:pw@${sqlProxyName(RUN, 2)}:3306/keystone`);
    expect([1, 2, 3].map(regionName)).toEqual(['RegionOne', 'RegionTwo', 'RegionThree']);
  });

  test('proxy arguments pair listen and upstream, and refuse clashing ports or bad upstreams', { annotation: { type: 'id', description: '255d91bc-6d1b-43a2-8915-b0f147255542' } }, () => {
    expect(proxyArguments([{ listenPort: 3306, upstream: 'db:3306' }], 8474)).toEqual(['--listen', '0.0.0.0:3306', '--upstream', 'db:3306', '--control', '0.0.0.0:8474']);
    expect(() => proxyArguments([{ listenPort: 1, upstream: 'a:1' }, { listenPort: 1, upstream: 'b:1' }])).toThrow(/used twice/);
    expect(() => proxyArguments([{ listenPort: 8474, upstream: 'a:1' }], 8474)).toThrow(/used twice/);
    expect(() => proxyArguments([{ listenPort: 2, upstream: 'a b:1' }])).toThrow(/host:port/);
    expect(() => proxyArguments([])).toThrow();
  });

  test('wsrep status parsing and the Synced test', { annotation: { type: 'id', description: '81b9a14f-3cf8-4d4c-a3f5-78f473ba5070' } }, () => {
    const s = parseWsrepStatus('wsrep_cluster_size\t3\nwsrep_cluster_status\tPrimary\nwsrep_local_state_comment\tSynced\nwsrep_ready\tON\nwsrep_incoming_addresses\ta:3306,b:3306\n');
    expect(s.wsrep_incoming_addresses).toBe('a:3306,b:3306');
    expect(isSynced(s, 3)).toBe(true);
    expect(isSynced(s, 2)).toBe(false);
    expect(isSynced({ ...s, wsrep_cluster_status: 'non-Primary' }, 3)).toBe(false);
    expect(isSynced({ ...s, wsrep_local_state_comment: 'Donor/Desynced' }, 3)).toBe(false);
  });
});
