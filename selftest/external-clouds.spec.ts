// An external target with one Keystone endpoint per region (clouds.yaml as openstacksdk reads
// it: per-region values, KS_CLOUDS, secure.yaml, profile, cacert/insecure), the per-region
// container mappings the chaos injectors use, and the refusal without KS_ALLOW_EXTERNAL_CHAOS.
// Every judgement is shown passing good input and failing bad input with the culprit named.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { stringify } from 'yaml';
import { resolveExternalTarget } from '../lib/cluster/clouds.js';
import { connectExternal } from '../lib/cluster/external.js';
import { externalChaosRefusal, parseRegionContainers, resolveExternalContainers, type InspectContainer } from '../lib/cluster/external-containers.js';
import { ConfigError } from '../lib/config/settings.js';
import { closeAllPools, TLS_CA_FILE_ENV, TLS_INSECURE_ENV } from '../lib/keystone/http.js';

const REGIONS = ['RegionOne', 'RegionTwo', 'RegionThree'];
const AUTH = { username: 'admin', password: 's3cret', project_name: 'admin', user_domain_name: 'Default', project_domain_name: 'Default' };
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

let dir: string;
test.beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ks-clouds-')); });
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** clouds.yaml (and secure.yaml, clouds-public.yaml when given) in a scratch dir, HOME there too. */
function files(clouds: object, extra: { secure?: object; publicClouds?: object } = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { HOME: join(dir, 'home'), OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml') };
  writeFileSync(env.OS_CLIENT_CONFIG_FILE!, stringify({ clouds }));
  if (extra.secure) {
    env.OS_CLIENT_SECURE_FILE = join(dir, 'secure.yaml');
    writeFileSync(env.OS_CLIENT_SECURE_FILE, stringify({ clouds: extra.secure }));
  }
  if (extra.publicClouds) {
    // clouds-public.yaml is found where openstacksdk looks: ~/.config/openstack.
    mkdirSync(join(dir, 'home/.config/openstack'), { recursive: true });
    writeFileSync(join(dir, 'home/.config/openstack/clouds-public.yaml'), stringify({ 'public-clouds': extra.publicClouds }));
  }
  return env;
}

const threeRegions = (url = (i: number) => `http://10.0.0.${i + 1}:5000/v3`) =>
  ({ auth: { ...AUTH, auth_url: url(0) }, regions: REGIONS.map((name, i) => ({ name, values: { auth: { auth_url: url(i) } } })) });

function configError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const m = (e as Error).message;
    expect(m.split('\n'), 'one line').toHaveLength(1);
    expect(m, 'no secret in the message').not.toContain(AUTH.password);
    return m;
  }
  throw new Error('expected a ConfigError, got none');
}

test.describe('clouds.yaml: one Keystone endpoint per region', () => {
  test('regions with values: each region its own auth_url, the rest of the cloud merged under it', () => {
    const t = resolveExternalTarget({ ...files({ multi: threeRegions() }), OS_CLOUD: 'multi' });
    expect(t.regions).toEqual(REGIONS.map((region, i) => ({ region, authUrl: `http://10.0.0.${i + 1}:5000/v3` })));
    expect(t.admin).toMatchObject({ username: 'admin', password: 's3cret', projectName: 'admin', userDomainName: 'Default' });
    expect(t.tls).toEqual({ insecure: false });
    // A plain region name keeps the cloud's auth_url (regions sharing one endpoint: the chaos fixture skips those).
    const plain = resolveExternalTarget({ ...files({ c: { auth: { ...AUTH, auth_url: 'http://k:5000/v3' }, regions: ['A', { name: 'B', values: { auth: { auth_url: 'http://b:5000/v3' } } }] } }), OS_CLOUD: 'c' });
    expect(plain.regions).toEqual([{ region: 'A', authUrl: 'http://k:5000/v3' }, { region: 'B', authUrl: 'http://b:5000/v3' }]);
    // region_name, else OS_REGION_NAME, else RegionOne
    expect(resolveExternalTarget({ ...files({ c: { auth: { ...AUTH, auth_url: 'http://k/v3' }, region_name: 'East' } }), OS_CLOUD: 'c' }).regions[0]!.region).toBe('East');
    expect(resolveExternalTarget({ ...files({ c: { auth: { ...AUTH, auth_url: 'http://k/v3' } } }), OS_CLOUD: 'c', OS_REGION_NAME: 'West' }).regions[0]!.region).toBe('West');
  });

  test('bad clouds.yaml values fail fast with one line naming the cloud, region and key', () => {
    const bad: Array<[object, RegExp]> = [
      [{ c: { ...threeRegions(), regions: 'RegionOne' } }, /cloud c: regions must be a non-empty list/],
      [{ c: { ...threeRegions(), regions: [] } }, /cloud c: regions must be a non-empty list/],
      [{ c: { ...threeRegions(), regions: [{ values: {} }] } }, /cloud c: regions\[0\] must be a name or \{ name, values \}/],
      [{ c: { ...threeRegions(), regions: [{ name: 'A', values: 'x' }] } }, /region A: values must be a mapping/],
      [{ c: { ...threeRegions(), regions: ['A', 'A'] } }, /region A is listed twice/],
      [{ c: threeRegions((i) => (i === 1 ? 'not a url' : `http://h${i}/v3`)) }, /cloud c, region RegionTwo: auth_url not a url is not a URL/],
      [{ c: threeRegions((i) => (i === 2 ? 'ftp://h/v3' : `http://h${i}/v3`)) }, /region RegionThree: auth_url ftp:\/\/h\/v3 must be http\(s\)/],
      [{ c: { ...threeRegions(), auth_type: 'token' } }, /auth_type token is not supported/],
      [{ c: { auth: { auth_url: 'http://k/v3', username: 'admin' } } }, /region RegionOne: needs auth.username and auth.password/],
      [{ c: { ...threeRegions(), regions: [{ name: 'A', values: { auth: { auth_url: 'http://a/v3', username: 'other' } } }, 'B'] } }, /cloud c, region B: auth username differ from .*region A/],
      [{ c: { ...threeRegions(), insecure: 'maybe' } }, /region RegionOne: insecure=maybe must be true or false/],
      [{ c: { ...threeRegions(), cacert: join('/nonexistent', 'ca.pem') } }, /cloud c, region RegionOne: cacert \/nonexistent\/ca.pem: no such file/],
    ];
    for (const [clouds, message] of bad) expect(configError(() => resolveExternalTarget({ ...files(clouds), OS_CLOUD: 'c' }))).toMatch(message);
    expect(configError(() => resolveExternalTarget({ ...files({ c: threeRegions() }), OS_CLOUD: 'nope' }))).toMatch(/OS_CLOUD=nope: no cloud nope in .*clouds.yaml \(it has c\)/);
    expect(configError(() => resolveExternalTarget({ OS_CLOUD: 'c', OS_CLIENT_CONFIG_FILE: '/nonexistent/clouds.yaml' }))).toMatch(/^OS_CLOUD=c: OS_CLIENT_CONFIG_FILE=\/nonexistent\/clouds.yaml: no such file/);
    writeFileSync(join(dir, 'broken.yaml'), 'clouds: [unclosed');
    expect(configError(() => resolveExternalTarget({ OS_CLOUD: 'c', OS_CLIENT_CONFIG_FILE: join(dir, 'broken.yaml') }))).toMatch(/broken.yaml: not valid YAML/);
    expect(configError(() => resolveExternalTarget({}))).toMatch(/KS_TARGET=external needs OS_CLOUD or KS_CLOUDS \(clouds.yaml\) or OS_AUTH_URL, OS_USERNAME, OS_PASSWORD/);
  });

  test('KS_CLOUDS: one cloud per region, the region from each cloud\'s region_name', () => {
    const clouds = Object.fromEntries(REGIONS.map((r, i) => [`c${i}`, { auth: { ...AUTH, auth_url: `https://ks${i}.example/v3` }, region_name: r }]));
    const t = resolveExternalTarget({ ...files(clouds), KS_CLOUDS: 'c2, c0,c1', OS_REGION_NAME: 'Ignored' });
    expect(t.regions).toEqual([
      { region: 'RegionThree', authUrl: 'https://ks2.example/v3' }, { region: 'RegionOne', authUrl: 'https://ks0.example/v3' }, { region: 'RegionTwo', authUrl: 'https://ks1.example/v3' },
    ]);
    // A cloud listing exactly one region is one region too.
    expect(resolveExternalTarget({ ...files({ ...clouds, r: { auth: { ...AUTH, auth_url: 'http://x/v3' }, regions: [{ name: 'Solo', values: { auth: { auth_url: 'http://solo/v3' } } }] } }), KS_CLOUDS: 'c0,r' }).regions[1])
      .toEqual({ region: 'Solo', authUrl: 'http://solo/v3' });

    const env = files({ ...clouds, noregion: { auth: { ...AUTH, auth_url: 'http://n/v3' } }, two: threeRegions(), same: { ...clouds.c0, auth: { ...AUTH, auth_url: 'http://s/v3' } },
      otheruser: { auth: { ...AUTH, username: 'bob', auth_url: 'http://o/v3' }, region_name: 'RegionFour' } });
    expect(configError(() => resolveExternalTarget({ ...env, KS_CLOUDS: 'c0,noregion' }))).toMatch(/KS_CLOUDS: cloud noregion in .* has no region_name/);
    expect(configError(() => resolveExternalTarget({ ...env, KS_CLOUDS: 'c0,two' }))).toMatch(/KS_CLOUDS: cloud two .* lists 3 regions/);
    expect(configError(() => resolveExternalTarget({ ...env, KS_CLOUDS: 'c0,missing' }))).toMatch(/KS_CLOUDS: no cloud missing in /);
    expect(configError(() => resolveExternalTarget({ ...env, KS_CLOUDS: 'c0,,c1' }))).toMatch(/KS_CLOUDS=c0,,c1 must be cloud names separated by commas/);
    expect(configError(() => resolveExternalTarget({ ...env, KS_CLOUDS: 'c0,c0' }))).toMatch(/KS_CLOUDS=c0,c0 names a cloud twice/);
    expect(configError(() => resolveExternalTarget({ ...env, KS_CLOUDS: 'c0,same' }))).toMatch(/cloud same, region RegionOne: region RegionOne is given twice/);
    expect(configError(() => resolveExternalTarget({ ...env, KS_CLOUDS: 'c0,otheruser' }))).toMatch(/cloud otheruser, region RegionFour: auth username differ from .*cloud c0, region RegionOne: the suite runs one admin/);
    expect(configError(() => resolveExternalTarget({ ...env, KS_CLOUDS: 'c0', OS_CLOUD: 'c1' }))).toMatch(/set OS_CLOUD or KS_CLOUDS, not both/);
  });

  test('secure.yaml is merged over clouds.yaml by cloud name; a profile from clouds-public.yaml goes under the cloud', () => {
    const noPassword = { ...threeRegions(), auth: { ...threeRegions().auth, password: undefined } };
    const env = files({ c: noPassword, d: noPassword }, { secure: { c: { auth: { password: 'from-secure' } }, orphan: { auth: { password: 'x' } } } });
    const t = resolveExternalTarget({ ...env, OS_CLOUD: 'c' });
    expect(t.admin.password).toBe('from-secure');
    expect(t.admin.username).toBe('admin'); // merged, not replaced
    expect(t.regions.map((r) => r.authUrl)).toEqual(REGIONS.map((_, i) => `http://10.0.0.${i + 1}:5000/v3`));
    // d has no secure.yaml entry: still no password, and that is named
    expect(configError(() => resolveExternalTarget({ ...env, OS_CLOUD: 'd' }))).toMatch(/cloud d, region RegionOne: needs auth.username and auth.password \(secure.yaml may hold the password\)/);
    // the orphan secure.yaml entry makes no cloud
    expect(configError(() => resolveExternalTarget({ ...env, OS_CLOUD: 'orphan' }))).toMatch(/no cloud orphan in .*\(it has c, d\)/);
    expect(configError(() => resolveExternalTarget({ ...env, OS_CLOUD: 'c', OS_CLIENT_SECURE_FILE: '/nonexistent/secure.yaml' }))).toMatch(/OS_CLIENT_SECURE_FILE=\/nonexistent\/secure.yaml: no such file/);

    const withProfile = files({ p: { profile: 'acme', auth: { username: 'admin', password: 'pw', project_name: 'admin' } }, q: { profile: 'nosuch', auth: AUTH } },
      { publicClouds: { acme: { profile: { auth: { auth_url: 'https://acme/v3', user_domain_name: 'Default' }, regions: ['AcmeOne', { name: 'AcmeTwo', values: { auth: { auth_url: 'https://two.acme/v3' } } }] } } } });
    const p = resolveExternalTarget({ ...withProfile, OS_CLOUD: 'p' });
    expect(p.regions).toEqual([{ region: 'AcmeOne', authUrl: 'https://acme/v3' }, { region: 'AcmeTwo', authUrl: 'https://two.acme/v3' }]);
    expect(p.admin).toMatchObject({ username: 'admin', password: 'pw', userDomainName: 'Default' });
    expect(configError(() => resolveExternalTarget({ ...withProfile, OS_CLOUD: 'q' }))).toMatch(/cloud q: profile nosuch is not in .*clouds-public.yaml/);
  });

  test('TLS: cacert / OS_CACERT must be a PEM file, insecure / verify a boolean; OS_CACERT wins over the file', () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, PEM);
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    const env = files({ a: { ...threeRegions(), cacert: ca }, v: { ...threeRegions(), verify: false }, i: { ...threeRegions(), insecure: 'yes' }, vp: { ...threeRegions(), verify: ca }, plain: threeRegions(),
      mixed: { ...threeRegions(), regions: [{ name: 'A', values: { auth: { auth_url: 'https://a/v3' }, insecure: true } }, { name: 'B', values: { auth: { auth_url: 'https://b/v3' } } }] } });
    expect(resolveExternalTarget({ ...env, OS_CLOUD: 'a' }).tls).toEqual({ caFile: ca, insecure: false });
    expect(resolveExternalTarget({ ...env, OS_CLOUD: 'v' }).tls).toEqual({ insecure: true });
    expect(resolveExternalTarget({ ...env, OS_CLOUD: 'i' }).tls).toEqual({ insecure: true });
    expect(resolveExternalTarget({ ...env, OS_CLOUD: 'vp' }).tls).toEqual({ caFile: ca, insecure: false });
    expect(resolveExternalTarget({ ...env, OS_CLOUD: 'plain', OS_CACERT: ca }).tls).toEqual({ caFile: ca, insecure: false });
    expect(resolveExternalTarget({ ...env, OS_CLOUD: 'plain', OS_INSECURE: 'true' }).tls).toEqual({ insecure: true });
    expect(configError(() => resolveExternalTarget({ ...env, OS_CLOUD: 'a', OS_CACERT: '/nonexistent/ca.pem' }))).toMatch(/^OS_CACERT=\/nonexistent\/ca.pem: no such file$/);
    expect(configError(() => resolveExternalTarget({ ...env, OS_CLOUD: 'plain', OS_CACERT: notPem }))).toMatch(/OS_CACERT=.*not.pem: not a PEM certificate bundle/);
    expect(configError(() => resolveExternalTarget({ ...env, OS_CLOUD: 'plain', OS_INSECURE: 'perhaps' }))).toMatch(/OS_INSECURE: OS_INSECURE=perhaps must be true or false/);
    expect(configError(() => resolveExternalTarget({ ...env, OS_CLOUD: 'mixed' }))).toMatch(/region B: cacert\/insecure differ from .*region A: one TLS setting for every region/);
  });

  test('connectExternal: every region reached at its own endpoint, containers attached per region', async () => {
    const servers = await Promise.all(REGIONS.map(() => fakeKeystone()));
    try {
      const url = (i: number) => `http://127.0.0.1:${(servers[i]!.address() as { port: number }).port}/v3`;
      const env = { ...files({ multi: threeRegions(url) }), OS_CLOUD: 'multi', KS_KEYSTONE_CONTAINERS: 'RegionOne=ks1;RegionTwo=ks2;RegionThree=ks3', KS_DATABASE_CONTAINERS: 'db1,db2,db3' };
      const info = await connectExternal(env, 5_000, fakeInspect);
      expect(info.regions.map((r) => [r.region, r.baseUrl, r.keystoneContainer, r.databaseNode, r.databaseNetwork])).toEqual(
        REGIONS.map((r, i) => [r, url(i), `ks${i + 1}`, `db${i + 1}`, `net-db${i + 1}`]));
      expect(servers.map((s) => (s as Server & { hits: number }).hits).every((n) => n >= 2)).toBe(true);
      // One dead region fails the start, naming that endpoint.
      const dead = { ...files({ multi: threeRegions((i) => (i === 2 ? 'http://127.0.0.1:9/v3' : url(i))) }), OS_CLOUD: 'multi' };
      await expect(connectExternal(dead, 2_000)).rejects.toThrow(/127\.0\.0\.1:9.*not ready/);
    } finally {
      for (const s of servers) s.close();
    }
  });
});

test('TLS reaches the connections: a self-signed Keystone is refused, accepted with its cacert, or with insecure', async () => {
  test.skip(spawnSync('openssl', ['version']).status !== 0, 'needs the openssl CLI to make a certificate');
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  const server = await fakeKeystone({ key: readFileSync(key), cert: readFileSync(cert) });
  const saved = { ca: process.env[TLS_CA_FILE_ENV], insecure: process.env[TLS_INSECURE_ENV] };
  try {
    const url = `https://127.0.0.1:${(server.address() as { port: number }).port}/v3`;
    const cloud = (extra: object) => ({ ...files({ c: { auth: { ...AUTH, auth_url: url }, region_name: 'RegionOne', ...extra } }), OS_CLOUD: 'c' });
    delete process.env[TLS_CA_FILE_ENV];
    delete process.env[TLS_INSECURE_ENV];
    await closeAllPools();
    await expect(connectExternal(cloud({}), 2_000)).rejects.toThrow(/not ready.*(self.signed|certificate)/is);
    await closeAllPools();
    expect((await connectExternal(cloud({ cacert: cert }), 5_000)).regions[0]!.baseUrl).toBe(url);
    expect(process.env[TLS_CA_FILE_ENV], 'handed to the workers').toBe(cert);
    delete process.env[TLS_CA_FILE_ENV];
    await closeAllPools();
    expect((await connectExternal(cloud({ insecure: true }), 5_000)).regions[0]!.baseUrl).toBe(url);
    expect(process.env[TLS_INSECURE_ENV]).toBe('1');
  } finally {
    for (const [k, v] of [[TLS_CA_FILE_ENV, saved.ca], [TLS_INSECURE_ENV, saved.insecure]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await closeAllPools();
    server.close();
  }
});

/** Answers GET /v3 and POST /v3/auth/tokens like a Keystone that accepts the admin. */
function fakeKeystone(tls?: { key: Buffer; cert: Buffer }): Promise<Server & { hits: number }> {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    (server as Server & { hits: number }).hits++;
    req.resume();
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/v3') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"version":{"id":"v3.14"}}');
      if (req.method === 'POST' && req.url?.startsWith('/v3/auth/tokens')) return void res.writeHead(201, { 'content-type': 'application/json', 'x-subject-token': 'tok' }).end('{"token":{}}');
      res.writeHead(404).end();
    });
  };
  const server = (tls ? createHttpsServer(tls, handler) : createServer(handler)) as Server & { hits: number };
  server.hits = 0;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** docker inspect of a fake deployment: db<i> on net-db<i>; proxies publish 8474; `multi` is on two networks. */
const fakeInspect: InspectContainer = async (ref) => {
  if (ref.startsWith('missing')) throw new Error(`(HTTP code 404) no such container - No such container: ${ref}`);
  const proxy = /proxy/.test(ref);
  return {
    Name: `/${ref}`, Id: `${ref}-id`,
    NetworkSettings: {
      Networks: ref.startsWith('multi') ? { a: {}, b: {} } : { [`net-${ref}`]: {} },
      Ports: proxy && !ref.includes('noport') ? { '8474/tcp': [{ HostIp: ref.includes('any') ? '0.0.0.0' : '127.0.0.1', HostPort: String(40000 + ref.length) }] } : {},
    },
  };
};

test.describe('container mappings per region (KS_*_CONTAINERS)', () => {
  test('REGION=id;... and the older comma list map containers to regions', () => {
    expect(parseRegionContainers('KS_DATABASE_CONTAINERS', ' RegionOne = abc123 ; RegionThree=ks-gate-x-galera-3;', REGIONS)).toEqual({ RegionOne: 'abc123', RegionThree: 'ks-gate-x-galera-3' });
    expect(parseRegionContainers('KS_DATABASE_CONTAINERS', 'a,b,c', REGIONS)).toEqual({ RegionOne: 'a', RegionTwo: 'b', RegionThree: 'c' });
    // One database behind every region: the last element for the rest (the older form's meaning).
    expect(parseRegionContainers('KS_DATABASE_CONTAINERS', 'shared', REGIONS)).toEqual({ RegionOne: 'shared', RegionTwo: 'shared', RegionThree: 'shared' });
    expect(parseRegionContainers('KS_DATABASE_CONTAINERS', '  ', REGIONS)).toEqual({});
    const bad: Array<[string, RegExp]> = [
      ['RegionFour=abc', /KS_DATABASE_CONTAINERS: region RegionFour is not a region of the target \(RegionOne, RegionTwo, RegionThree\)/],
      ['RegionOne=a;RegionOne=b', /KS_DATABASE_CONTAINERS: region RegionOne is given twice/],
      ['RegionOne=', /"RegionOne=" is not REGION=<container id or name>/],
      ['=abc', /"=abc" is not REGION=<container id or name>/],
      ['RegionOne=a b', /RegionOne: "a b" is not a docker container or network id or name/],
      ['RegionOne=$(rm -rf /)', /is not a docker container or network id or name/],
      ['a,,c', /an empty element/],
      ['a,b,c,d', /4 containers for 3 region\(s\)/],
    ];
    for (const [value, message] of bad) expect(configError(() => parseRegionContainers('KS_DATABASE_CONTAINERS', value, REGIONS))).toMatch(message);
  });

  test('docker is asked about every fault container: proxies give their control URL, a database node its only network', async () => {
    const env = {
      KS_DATABASE_CONTAINERS: 'RegionOne=db1;RegionTwo=db2;RegionThree=multi3',
      KS_DATABASE_NETWORKS: 'RegionThree=b',
      KS_REPLICATION_PROXY_CONTAINERS: 'replproxy-1,replproxy-2,replproxy-any-3',
      KS_SQL_PROXY_CONTAINERS: 'RegionThree=sqlproxy-3',
    };
    const regions = await resolveExternalContainers(REGIONS, env, fakeInspect);
    expect(regions[0]).toEqual({ databaseContainer: 'db1-id', databaseNode: 'db1', databaseNetwork: 'net-db1', replicationProxyControlUrl: 'http://127.0.0.1:40011' });
    expect(regions[2]).toEqual({ databaseContainer: 'multi3-id', databaseNode: 'multi3', databaseNetwork: 'b', replicationProxyControlUrl: 'http://127.0.0.1:40015', sqlProxyControlUrl: 'http://127.0.0.1:40010' });
    // Two networks and none chosen: no databaseNetwork (the disconnect test then names what is missing).
    expect((await resolveExternalContainers(REGIONS, { KS_DATABASE_CONTAINERS: 'multi' }, fakeInspect))[0]!.databaseNetwork).toBeUndefined();

    const bad: Array<[NodeJS.ProcessEnv, RegExp]> = [
      [{ KS_DATABASE_CONTAINERS: 'RegionTwo=missing-2' }, /^KS_DATABASE_CONTAINERS: RegionTwo: cannot inspect container missing-2: .*No such container/],
      [{ KS_SQL_PROXY_CONTAINERS: 'RegionOne=sqlproxy-noport' }, /^KS_SQL_PROXY_CONTAINERS: RegionOne: container sqlproxy-noport publishes no control port 8474\/tcp/],
      [{ KS_REPLICATION_PROXY_CONTAINERS: 'RegionOne=db1' }, /^KS_REPLICATION_PROXY_CONTAINERS: RegionOne: container db1 publishes no control port/],
      [{ KS_DATABASE_CONTAINERS: 'multi', KS_DATABASE_NETWORKS: 'RegionOne=c' }, /^KS_DATABASE_NETWORKS: RegionOne: container multi is not on network c \(it is on a, b\)/],
      [{ KS_DATABASE_NETWORKS: 'RegionOne=a' }, /^KS_DATABASE_NETWORKS: RegionOne: names a network but KS_DATABASE_CONTAINERS names no container for RegionOne/],
      [{ KS_KEYSTONE_CONTAINERS: 'RegionNine=k' }, /^KS_KEYSTONE_CONTAINERS: region RegionNine is not a region/],
    ];
    for (const [e, message] of bad) {
      const err = await resolveExternalContainers(REGIONS, e, fakeInspect).then(() => undefined, (x: Error) => x);
      expect(err, JSON.stringify(e)).toBeInstanceOf(ConfigError);
      expect(err!.message).toMatch(message);
    }
  });
});

test.describe('external chaos needs KS_ALLOW_EXTERNAL_CHAOS', () => {
  const base = { KS_TARGET: 'external', KS_DATABASE_CONTAINERS: 'RegionOne=db1' };

  test('fault containers of an external target, the chaos project selected, no opt-in: refused, the variable named', () => {
    expect(externalChaosRefusal(base, ['chaos'], false)).toMatch(/^KS_DATABASE_CONTAINERS names containers .* KS_ALLOW_EXTERNAL_CHAOS is not 1: set KS_ALLOW_EXTERNAL_CHAOS=1/);
    expect(externalChaosRefusal(base, [], false), 'no --project: every project, chaos included').toMatch(/KS_ALLOW_EXTERNAL_CHAOS=1/);
    expect(externalChaosRefusal({ KS_TARGET: 'external', KS_REPLICATION_PROXY_CONTAINERS: 'a', KS_SQL_PROXY_CONTAINERS: 'b' }, ['chaos'], false))
      .toMatch(/^KS_REPLICATION_PROXY_CONTAINERS, KS_SQL_PROXY_CONTAINERS name containers/);
    // Not refused: opted in, another project, only Keystone containers (logs), Chaos Mesh (its own guard), the embedded target.
    expect(externalChaosRefusal(base, ['chaos'], true)).toBeUndefined();
    expect(externalChaosRefusal(base, ['conformance'], false)).toBeUndefined();
    expect(externalChaosRefusal({ KS_TARGET: 'external', KS_KEYSTONE_CONTAINERS: 'RegionOne=k' }, ['chaos'], false)).toBeUndefined();
    expect(externalChaosRefusal({ ...base, KS_CHAOS_INJECTOR: 'chaos-mesh' }, ['chaos'], false)).toBeUndefined();
    expect(externalChaosRefusal({ ...base, KS_TARGET: 'embedded' }, ['chaos'], false)).toBeUndefined();
  });

  test('the chaos project stops at start, before any endpoint is reached, naming KS_ALLOW_EXTERNAL_CHAOS', () => {
    test.setTimeout(120_000);
    const out = mkdtempSync(join(tmpdir(), 'ks-refusal-'));
    try {
      const run = (extra: NodeJS.ProcessEnv) => spawnSync('npx', ['playwright', 'test', '--project=chaos', '--grep', '@slice', '--reporter=line'], {
        encoding: 'utf8', timeout: 100_000,
        env: {
          ...process.env, KS_TARGET: 'external', KS_ALLOW_EXTERNAL_CHAOS: '', OS_CLOUD: '', KS_CLOUDS: '', OS_AUTH_URL: 'http://127.0.0.1:9/v3', OS_USERNAME: 'admin', OS_PASSWORD: 'x',
          KS_DATABASE_CONTAINERS: 'RegionOne=ks-nonexistent-db', PW_JSON: join(out, 'r.json'), PW_JUNIT: join(out, 'j.xml'), ALLURE_RESULTS_DIR: join(out, 'allure'), KS_GATE_FILE: join(out, 'gate.json'),
          ...extra,
        },
      });
      const refused = run({});
      // Only exactly 1 opts in, as the injectors' own guard reads it; settings refuse anything but 0 or 1 at start.
      const spelled = run({ KS_ALLOW_EXTERNAL_CHAOS: 'true' });
      expect(spelled.status).not.toBe(0);
      expect(spelled.stdout + spelled.stderr).toMatch(/configuration: KS_ALLOW_EXTERNAL_CHAOS=true is not one of: 0, 1/);
      expect(refused.status).not.toBe(0);
      expect(refused.stdout + refused.stderr).toMatch(/configuration: KS_DATABASE_CONTAINERS names containers .*set KS_ALLOW_EXTERNAL_CHAOS=1/);
      // With the opt-in it gets past the guard and fails on what comes next (the container is not there).
      const allowed = run({ KS_ALLOW_EXTERNAL_CHAOS: '1' });
      expect(allowed.status).not.toBe(0);
      expect(allowed.stdout + allowed.stderr).not.toMatch(/KS_ALLOW_EXTERNAL_CHAOS is not 1/);
      expect(allowed.stdout + allowed.stderr).toMatch(/configuration: KS_DATABASE_CONTAINERS: RegionOne: cannot inspect container ks-nonexistent-db/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
