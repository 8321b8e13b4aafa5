// The docker containers of an external deployment, per region, so the containers injector can
// put faults into it (KS_ALLOW_EXTERNAL_CHAOS=1) and the retry correlator can read its logs:
//   KS_KEYSTONE_CONTAINERS='RegionOne=<id or name>;RegionTwo=...'   (logs)
//   KS_DATABASE_CONTAINERS=...             crash, freeze, disconnect (its network), Galera state
//   KS_REPLICATION_PROXY_CONTAINERS=...    partition, WAN latency (a chaos/proxy fault proxy each)
//   KS_SQL_PROXY_CONTAINERS=...            Keystone-database latency
//   KS_DATABASE_NETWORKS=...               the network `disconnect` cuts, when the node has several
// The older comma form (`id1,id2,id3`: element i for region i, the last for the rest) still works.
import { getContainerRuntimeClient } from 'testcontainers';
import { ConfigError } from '../config/settings.js';
import type { RegionEndpoint } from './cluster-info.js';
import { PROXY_CONTROL_PORT } from './fault-proxy-node.js';

export const CONTAINER_VARIABLES = {
  keystone: 'KS_KEYSTONE_CONTAINERS',
  database: 'KS_DATABASE_CONTAINERS',
  replicationProxy: 'KS_REPLICATION_PROXY_CONTAINERS',
  sqlProxy: 'KS_SQL_PROXY_CONTAINERS',
  databaseNetwork: 'KS_DATABASE_NETWORKS',
} as const;
type Role = keyof typeof CONTAINER_VARIABLES;

/** The variables whose containers the chaos injectors act on (keystone containers are only read). */
export const FAULT_CONTAINER_VARIABLES = [CONTAINER_VARIABLES.database, CONTAINER_VARIABLES.replicationProxy, CONTAINER_VARIABLES.sqlProxy] as const;

/** A docker container or network id or name. */
const DOCKER_REF = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

/**
 * Region name -> container (or network) reference. `R=ref;R2=ref` names regions, each at most
 * once and only regions of the target; the comma form maps by position. Empty: no region.
 */
export function parseRegionContainers(variable: string, value: string | undefined, regions: readonly string[]): Record<string, string> {
  const v = value?.trim();
  if (!v) return {};
  const out: Record<string, string> = {};
  const check = (region: string, ref: string): void => {
    if (!DOCKER_REF.test(ref)) throw new ConfigError(`${variable}: ${region}: "${ref}" is not a docker container or network id or name`);
  };
  if (!v.includes('=')) {
    const items = v.split(',').map((x) => x.trim());
    if (items.some((x) => !x)) throw new ConfigError(`${variable}=${v}: an empty element (give REGION=<id>;REGION=<id>, or id1,id2 in region order)`);
    if (items.length > regions.length) throw new ConfigError(`${variable}=${v}: ${items.length} containers for ${regions.length} region(s) (${regions.join(', ')})`);
    regions.forEach((region, i) => {
      const ref = items[i] ?? items.at(-1)!;
      check(region, ref);
      out[region] = ref;
    });
    return out;
  }
  for (const entry of v.split(';').map((e) => e.trim()).filter(Boolean)) {
    const at = entry.indexOf('=');
    const region = at > 0 ? entry.slice(0, at).trim() : '';
    const ref = at > 0 ? entry.slice(at + 1).trim() : '';
    if (!region || !ref) throw new ConfigError(`${variable}: "${entry}" is not REGION=<container id or name>`);
    if (!regions.includes(region)) throw new ConfigError(`${variable}: region ${region} is not a region of the target (${regions.join(', ')})`);
    if (Object.hasOwn(out, region)) throw new ConfigError(`${variable}: region ${region} is given twice`);
    check(region, ref);
    out[region] = ref;
  }
  return out;
}

/** Every mapping of the environment, checked against the target's regions (no docker needed). */
export function parseExternalContainers(env: NodeJS.ProcessEnv, regions: readonly string[]): Record<Role, Record<string, string>> {
  const out = {} as Record<Role, Record<string, string>>;
  for (const [role, variable] of Object.entries(CONTAINER_VARIABLES) as Array<[Role, string]>) out[role] = parseRegionContainers(variable, env[variable], regions);
  return out;
}

/**
 * Why an external run must stop before it starts: fault containers are named for the chaos
 * project but KS_ALLOW_EXTERNAL_CHAOS is not set. `projects` is what the command line selects
 * (empty: every project, chaos included).
 */
export function externalChaosRefusal(env: NodeJS.ProcessEnv, projects: readonly string[], allowExternalChaos: boolean): string | undefined {
  if ((env.KS_TARGET ?? 'embedded') !== 'external' || allowExternalChaos) return undefined;
  if (projects.length && !projects.includes('chaos')) return undefined;
  if ((env.KS_CHAOS_INJECTOR ?? 'containers').toLowerCase() !== 'containers') return undefined;
  const named = FAULT_CONTAINER_VARIABLES.filter((v) => env[v]?.trim());
  if (!named.length) return undefined;
  return `${named.join(', ')} name${named.length === 1 ? 's' : ''} containers of an external deployment for the chaos project to inject faults into, ` +
    'and KS_ALLOW_EXTERNAL_CHAOS is not 1: set KS_ALLOW_EXTERNAL_CHAOS=1 to allow it (or leave the chaos project out)';
}

type Inspect = { Name: string; Id: string; NetworkSettings: { Networks: Record<string, unknown>; Ports?: Record<string, Array<{ HostIp: string; HostPort: string }> | null | undefined> } };
export type InspectContainer = (ref: string) => Promise<Inspect>;

async function dockerInspect(ref: string): Promise<Inspect> {
  const dockerode = (await getContainerRuntimeClient()).container.dockerode;
  return (await dockerode.getContainer(ref).inspect()) as unknown as Inspect;
}

/** http://<host>:<port> of a fault proxy's published control port. */
export function controlUrlOf(variable: string, region: string, info: Inspect): string {
  const binding = info.NetworkSettings.Ports?.[`${PROXY_CONTROL_PORT}/tcp`]?.[0];
  if (!binding?.HostPort) throw new ConfigError(`${variable}: ${region}: container ${info.Name.replace(/^\//, '')} publishes no control port ${PROXY_CONTROL_PORT}/tcp (is it a chaos/proxy fault proxy?)`);
  const host = !binding.HostIp || binding.HostIp === '0.0.0.0' ? '127.0.0.1' : binding.HostIp === '::' ? '[::1]' : binding.HostIp.includes(':') ? `[${binding.HostIp}]` : binding.HostIp;
  return `http://${host}:${binding.HostPort}`;
}

/**
 * Fills each region's containers, proxies' control URLs and database network from the mappings,
 * asking docker (`inspect`) about every container named for faults: an unknown one fails here,
 * naming its variable and region. Keystone containers are taken as given (logs only).
 */
export async function resolveExternalContainers(
  regions: readonly string[],
  env: NodeJS.ProcessEnv,
  inspect: InspectContainer = dockerInspect,
): Promise<Array<Partial<RegionEndpoint>>> {
  const m = parseExternalContainers(env, regions);
  const look = async (role: Role, region: string): Promise<Inspect | undefined> => {
    const ref = m[role][region];
    if (!ref) return undefined;
    try {
      return await inspect(ref);
    } catch (e) {
      throw new ConfigError(`${CONTAINER_VARIABLES[role]}: ${region}: cannot inspect container ${ref}: ${(e as Error).message.split('\n')[0]}`);
    }
  };
  return Promise.all(regions.map(async (region) => {
    const out: Partial<RegionEndpoint> = {};
    if (m.keystone[region]) out.keystoneContainer = m.keystone[region];
    const db = await look('database', region);
    if (db) {
      out.databaseContainer = db.Id;
      out.databaseNode = db.Name.replace(/^\//, '');
      const networks = Object.keys(db.NetworkSettings.Networks ?? {});
      const chosen = m.databaseNetwork[region];
      if (chosen) {
        if (!networks.includes(chosen)) throw new ConfigError(`${CONTAINER_VARIABLES.databaseNetwork}: ${region}: container ${out.databaseNode} is not on network ${chosen} (it is on ${networks.join(', ') || 'none'})`);
        out.databaseNetwork = chosen;
      } else if (networks.length === 1) out.databaseNetwork = networks[0];
      // Several networks and none chosen: no databaseNetwork, so `disconnect` says what is missing.
    } else if (m.databaseNetwork[region]) {
      throw new ConfigError(`${CONTAINER_VARIABLES.databaseNetwork}: ${region}: names a network but ${CONTAINER_VARIABLES.database} names no container for ${region}`);
    }
    const repl = await look('replicationProxy', region);
    if (repl) out.replicationProxyControlUrl = controlUrlOf(CONTAINER_VARIABLES.replicationProxy, region, repl);
    const sql = await look('sqlProxy', region);
    if (sql) out.sqlProxyControlUrl = controlUrlOf(CONTAINER_VARIABLES.sqlProxy, region, sql);
    return out;
  }));
}
