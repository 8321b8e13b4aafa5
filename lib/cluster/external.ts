import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../config/settings.js';
import type { PasswordCredentials } from '../keystone/credentials.js';
import type { ClusterInfo } from './cluster-info.js';
import { newRunId } from './embedded.js';
import { waitForKeystone } from './readiness.js';

/** clouds.yaml search path, in the order openstacksdk uses. */
function cloudsFiles(env: NodeJS.ProcessEnv): string[] {
  return [env.OS_CLIENT_CONFIG_FILE, join(process.cwd(), 'clouds.yaml'), join(homedir(), '.config/openstack/clouds.yaml'), '/etc/openstack/clouds.yaml']
    .filter((p): p is string => !!p);
}

interface Target { authUrl: string; admin: PasswordCredentials; regions: string[] }

function fromCloudsYaml(cloud: string, env: NodeJS.ProcessEnv): Target {
  const file = cloudsFiles(env).find((f) => existsSync(f));
  if (!file) throw new ConfigError(`OS_CLOUD=${cloud} but no clouds.yaml found (looked in ${cloudsFiles(env).join(', ')})`);
  const doc = parse(readFileSync(file, 'utf8')) as { clouds?: Record<string, any> };
  const c = doc?.clouds?.[cloud];
  if (!c) throw new ConfigError(`OS_CLOUD=${cloud}: no such cloud in ${file}`);
  const a = c.auth ?? {};
  if (!a.auth_url || !a.username || !a.password) throw new ConfigError(`cloud ${cloud} in ${file} needs auth.auth_url, auth.username and auth.password`);
  return {
    authUrl: a.auth_url,
    admin: {
      username: a.username, password: a.password, userDomainName: a.user_domain_name, userDomainId: a.user_domain_id,
      projectName: a.project_name, projectId: a.project_id, projectDomainName: a.project_domain_name, projectDomainId: a.project_domain_id,
      domainName: a.domain_name, domainId: a.domain_id, system: a.system_scope === 'all' ? true : undefined,
    },
    regions: c.regions ? (c.regions as (string | { name: string })[]).map((r) => (typeof r === 'string' ? r : r.name)) : c.region_name ? [c.region_name] : [],
  };
}

function fromOsVariables(env: NodeJS.ProcessEnv): Target {
  const missing = ['OS_AUTH_URL', 'OS_USERNAME', 'OS_PASSWORD'].filter((k) => !env[k]);
  if (missing.length) throw new ConfigError(`KS_TARGET=external needs OS_CLOUD (clouds.yaml) or ${missing.join(', ')}`);
  return {
    authUrl: env.OS_AUTH_URL!,
    admin: {
      username: env.OS_USERNAME!, password: env.OS_PASSWORD!, userDomainName: env.OS_USER_DOMAIN_NAME, userDomainId: env.OS_USER_DOMAIN_ID,
      projectName: env.OS_PROJECT_NAME, projectId: env.OS_PROJECT_ID, projectDomainName: env.OS_PROJECT_DOMAIN_NAME, projectDomainId: env.OS_PROJECT_DOMAIN_ID,
      domainName: env.OS_DOMAIN_NAME, domainId: env.OS_DOMAIN_ID, system: env.OS_SYSTEM_SCOPE === 'all' ? true : undefined,
    },
    regions: env.OS_REGION_NAME ? [env.OS_REGION_NAME] : [],
  };
}

/**
 * An external cloud: nothing is started, the suite only checks it can reach Keystone and get an
 * admin token, within a short deadline so a dead URL fails fast.
 */
export async function connectExternal(env: NodeJS.ProcessEnv = process.env, timeoutMs = 8_000): Promise<ClusterInfo> {
  const t = env.OS_CLOUD ? fromCloudsYaml(env.OS_CLOUD, env) : fromOsVariables(env);
  try { new URL(t.authUrl); } catch { throw new ConfigError(`auth URL ${t.authUrl} is not a URL`); }
  const started = Date.now();
  await waitForKeystone(t.authUrl, t.admin, timeoutMs);
  const regions = t.regions.length ? t.regions : ['RegionOne'];
  return {
    target: 'external', backend: env.KS_BACKEND ?? 'unknown', keystoneVariant: 'external', runId: newRunId(), ownedBySuite: false,
    // Optional: containers of an external docker deployment, so Keystone/database logs can be correlated.
    regions: regions.map((region, i) => ({
      region, baseUrl: t.authUrl,
      keystoneContainer: listAt(env.KS_KEYSTONE_CONTAINERS, i), databaseContainer: listAt(env.KS_DATABASE_CONTAINERS, i),
    })),
    admin: t.admin,
    startedAt: new Date(started).toISOString(), bringUpSeconds: (Date.now() - started) / 1000,
  };
}

/** Element i of a comma-separated list, or its last element (one database behind every region). */
function listAt(list: string | undefined, i: number): string | undefined {
  const items = (list ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  return items[i] ?? items.at(-1);
}
