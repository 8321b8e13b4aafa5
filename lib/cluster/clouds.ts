// An external target as openstacksdk reads it: clouds.yaml (and secure.yaml merged over it by
// cloud name, and a `profile` from clouds-public.yaml under it), one Keystone endpoint per region
// (`regions: [{ name, values: { auth: { auth_url } } }]`, or one cloud per region with KS_CLOUDS),
// the TLS settings (`cacert` / OS_CACERT, `insecure` / `verify`), or the OS_* variables alone.
// Pure but for reading files: every bad value is a ConfigError of one line naming where it is.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../config/settings.js';
import type { PasswordCredentials } from '../keystone/credentials.js';

export interface ExternalRegion { region: string; authUrl: string }
export interface ExternalTls {
  /** PEM file of the CA bundle that signs the Keystone endpoints (cacert, OS_CACERT). */
  caFile?: string;
  /** Do not verify the server certificate (insecure: true, verify: false, OS_INSECURE). */
  insecure: boolean;
}
export interface ExternalTarget {
  admin: PasswordCredentials;
  /** In the order the configuration lists them; empty names never (RegionOne when none is given). */
  regions: ExternalRegion[];
  tls: ExternalTls;
  /** Where it came from, for messages (never a secret). */
  source: string;
}

type Doc = Record<string, any>;

/** The directories openstacksdk searches, in its order: the working directory, the user's, the system's. */
function configDirs(env: NodeJS.ProcessEnv): string[] {
  return [process.cwd(), join(env.HOME || homedir(), '.config/openstack'), '/etc/openstack'];
}
const EXTENSIONS = ['yaml', 'yml', 'json'];
function searchPath(env: NodeJS.ProcessEnv, explicit: string | undefined, base: string): string[] {
  return [...(explicit ? [explicit] : []), ...configDirs(env).flatMap((d) => EXTENSIONS.map((x) => join(d, `${base}.${x}`)))];
}
export const cloudsFiles = (env: NodeJS.ProcessEnv): string[] => searchPath(env, env.OS_CLIENT_CONFIG_FILE, 'clouds');
export const secureFiles = (env: NodeJS.ProcessEnv): string[] => searchPath(env, env.OS_CLIENT_SECURE_FILE, 'secure');
export const publicCloudsFiles = (env: NodeJS.ProcessEnv): string[] => searchPath(env, undefined, 'clouds-public');

function readDoc(file: string): Doc {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${file}: not valid YAML/JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (doc === null || doc === undefined) return {};
  if (!isObject(doc)) throw new ConfigError(`${file}: the top level must be a mapping`);
  return doc;
}

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/** openstacksdk's merge: mappings merge key by key, anything else is replaced by the later value. */
export function deepMerge(base: Doc, over: Doc): Doc {
  const out: Doc = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k], v) : v;
  return out;
}

/** `clouds` of the first clouds.yaml found, with secure.yaml's `clouds` merged over it by name. */
function loadClouds(env: NodeJS.ProcessEnv, variable: string): { clouds: Doc; file: string } {
  const candidates = cloudsFiles(env);
  if (env.OS_CLIENT_CONFIG_FILE && !existsSync(env.OS_CLIENT_CONFIG_FILE)) throw new ConfigError(`${variable}: OS_CLIENT_CONFIG_FILE=${env.OS_CLIENT_CONFIG_FILE}: no such file`);
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new ConfigError(`${variable} is set but no clouds.yaml found (looked in ${candidates.filter((f) => f.endsWith('.yaml')).join(', ')})`);
  const doc = readDoc(file);
  let clouds = doc.clouds ?? {};
  if (!isObject(clouds)) throw new ConfigError(`${file}: clouds must be a mapping of cloud names`);
  if (env.OS_CLIENT_SECURE_FILE && !existsSync(env.OS_CLIENT_SECURE_FILE)) throw new ConfigError(`${variable}: OS_CLIENT_SECURE_FILE=${env.OS_CLIENT_SECURE_FILE}: no such file`);
  const secure = secureFiles(env).find((f) => existsSync(f));
  if (secure) {
    const s = readDoc(secure).clouds ?? {};
    if (!isObject(s)) throw new ConfigError(`${secure}: clouds must be a mapping of cloud names`);
    for (const [name, values] of Object.entries(s)) {
      if (!isObject(values)) throw new ConfigError(`${secure}: cloud ${name} must be a mapping`);
      // A secure.yaml entry alone is no cloud: openstacksdk merges it only into one clouds.yaml names.
      if (isObject(clouds[name])) clouds = { ...clouds, [name]: deepMerge(clouds[name], values) };
    }
  }
  return { clouds, file };
}

/**
 * `profile` (or the older `cloud` key) names a vendor profile: its `profile` mapping from
 * clouds-public.yaml's `public-clouds` goes under the cloud (the cloud's own values win).
 * openstacksdk's built-in vendor list and its well-known URL discovery are not shipped here.
 */
function withProfile(name: string, cloud: Doc, where: string, env: NodeJS.ProcessEnv): Doc {
  const profile = cloud.profile ?? cloud.cloud;
  if (profile === undefined) return cloud;
  if (typeof profile !== 'string' || !profile) throw new ConfigError(`${where}: cloud ${name}: profile must be a profile name`);
  const file = publicCloudsFiles(env).find((f) => existsSync(f));
  const vendor = file ? readDoc(file)['public-clouds']?.[profile] : undefined;
  if (!isObject(vendor)) {
    throw new ConfigError(`${where}: cloud ${name}: profile ${profile} is not in ${file ?? 'any clouds-public.yaml'} ` +
      '(the suite reads profiles from clouds-public.yaml only, not openstacksdk\'s built-in vendors or well-known URLs)');
  }
  const base = isObject(vendor.profile) ? vendor.profile : vendor;
  const { profile: _p, cloud: _c, ...own } = cloud;
  return deepMerge(base, own);
}

function cloudNamed(clouds: Doc, file: string, name: string, variable: string, env: NodeJS.ProcessEnv): Doc {
  const c = clouds[name];
  if (!isObject(c)) throw new ConfigError(`${variable}: no cloud ${name} in ${file} (it has ${Object.keys(clouds).join(', ') || 'none'})`);
  return withProfile(name, c, file, env);
}

/** The regions of one cloud, each with its own merged config (region `values` over the cloud's). */
function regionsOf(name: string, cloud: Doc, where: string, env: NodeJS.ProcessEnv): Array<{ region: string; config: Doc }> {
  const { regions, ...base } = cloud;
  if (regions === undefined) {
    const region = typeof cloud.region_name === 'string' && cloud.region_name ? cloud.region_name : env.OS_REGION_NAME || 'RegionOne';
    return [{ region, config: base }];
  }
  if (!Array.isArray(regions) || regions.length === 0) throw new ConfigError(`${where}: cloud ${name}: regions must be a non-empty list`);
  const seen = new Set<string>();
  return regions.map((r: unknown, i: number) => {
    let region: unknown;
    let values: unknown = {};
    if (typeof r === 'string') region = r;
    else if (isObject(r)) ({ name: region, values = {} } = r);
    if (typeof region !== 'string' || !region) throw new ConfigError(`${where}: cloud ${name}: regions[${i}] must be a name or { name, values }`);
    if (!isObject(values)) throw new ConfigError(`${where}: cloud ${name}: region ${region}: values must be a mapping`);
    if (seen.has(region)) throw new ConfigError(`${where}: cloud ${name}: region ${region} is listed twice`);
    seen.add(region);
    return { region, config: deepMerge(base, values) };
  });
}

const CREDENTIAL_KEYS = ['username', 'password', 'user_domain_name', 'user_domain_id', 'project_name', 'project_id', 'project_domain_name', 'project_domain_id', 'domain_name', 'domain_id', 'system_scope'] as const;

function credentials(auth: Doc): PasswordCredentials {
  return {
    username: auth.username, password: auth.password, userDomainName: auth.user_domain_name, userDomainId: auth.user_domain_id,
    projectName: auth.project_name, projectId: auth.project_id, projectDomainName: auth.project_domain_name, projectDomainId: auth.project_domain_id,
    domainName: auth.domain_name, domainId: auth.domain_id, system: auth.system_scope === 'all' ? true : undefined,
  };
}

function boolValue(where: string, key: string, v: unknown): boolean | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(1|true|yes|on)$/i.test(v)) return true;
  if (typeof v === 'string' && /^(0|false|no|off)$/i.test(v)) return false;
  throw new ConfigError(`${where}: ${key}=${String(v)} must be true or false`);
}

function checkUrl(where: string, url: unknown): string {
  if (typeof url !== 'string' || !url) throw new ConfigError(`${where}: auth.auth_url is missing`);
  let u: URL;
  try { u = new URL(url); } catch { throw new ConfigError(`${where}: auth_url ${url} is not a URL`); }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(`${where}: auth_url ${url} must be http(s)`);
  return url;
}

/**
 * TLS of one region's config. OS_CACERT / OS_INSECURE, as openstackclient's command line defaults,
 * win over the file. `verify` may also be a CA file path (keystoneauth's form).
 */
function tlsOf(where: string, config: Doc, env: NodeJS.ProcessEnv): ExternalTls {
  const insecureEnv = boolValue('OS_INSECURE', 'OS_INSECURE', env.OS_INSECURE);
  const insecure = boolValue(where, 'insecure', config.insecure);
  const verify = typeof config.verify === 'string' && !/^(true|false|yes|no|on|off|0|1)$/i.test(config.verify) ? undefined : boolValue(where, 'verify', config.verify);
  let caFile: string | undefined;
  let caWhere = where;
  if (env.OS_CACERT) { caFile = env.OS_CACERT; caWhere = 'OS_CACERT'; }
  else if (config.cacert !== undefined) caFile = config.cacert;
  else if (typeof config.verify === 'string' && verify === undefined) caFile = config.verify;
  if (caFile !== undefined) {
    if (typeof caFile !== 'string' || !caFile) throw new ConfigError(`${caWhere}: cacert must be a file path`);
    if (!existsSync(caFile)) throw new ConfigError(`${caWhere === 'OS_CACERT' ? `OS_CACERT=${caFile}` : `${caWhere}: cacert ${caFile}`}: no such file`);
    if (!/-----BEGIN CERTIFICATE-----/.test(readFileSync(caFile, 'utf8'))) throw new ConfigError(`${caWhere === 'OS_CACERT' ? `OS_CACERT=${caFile}` : `${caWhere}: cacert ${caFile}`}: not a PEM certificate bundle`);
  }
  return { ...(caFile ? { caFile } : {}), insecure: insecureEnv ?? insecure ?? (verify === undefined ? false : !verify) };
}

interface RegionConfig { region: string; config: Doc; where: string }

function targetOf(configs: RegionConfig[], env: NodeJS.ProcessEnv, source: string): ExternalTarget {
  const first = configs[0]!;
  const regions: ExternalRegion[] = [];
  let admin: PasswordCredentials | undefined;
  let adminFrom = '';
  let tls: ExternalTls | undefined;
  const names = new Set<string>();
  for (const { region, config, where } of configs) {
    const at = `${where}, region ${region}`;
    if (names.has(region)) throw new ConfigError(`${at}: region ${region} is given twice (each region needs its own Keystone endpoint)`);
    names.add(region);
    const authType = config.auth_type;
    if (authType !== undefined && !['password', 'v3password'].includes(String(authType))) {
      throw new ConfigError(`${at}: auth_type ${String(authType)} is not supported (the suite authenticates as admin with a password: password or v3password)`);
    }
    const auth = isObject(config.auth) ? config.auth : {};
    if (!auth.username || !auth.password) throw new ConfigError(`${at}: needs auth.username and auth.password (secure.yaml may hold the password)`);
    regions.push({ region, authUrl: checkUrl(at, auth.auth_url) });
    const creds = credentials(auth);
    if (!admin) { admin = creds; adminFrom = at; }
    else {
      const differs = CREDENTIAL_KEYS.filter((k) => (auth[k] ?? undefined) !== (configs[0]!.config.auth?.[k] ?? undefined));
      if (differs.length) throw new ConfigError(`${at}: auth ${differs.join(', ')} differ from ${adminFrom}: the suite runs one admin across every region`);
    }
    const t = tlsOf(at, config, env);
    if (!tls) tls = t;
    else if (t.caFile !== tls.caFile || t.insecure !== tls.insecure) throw new ConfigError(`${at}: cacert/insecure differ from ${first.where}, region ${first.region}: one TLS setting for every region`);
  }
  return { admin: admin!, regions, tls: tls!, source };
}

function fromClouds(env: NodeJS.ProcessEnv): ExternalTarget {
  if (env.KS_CLOUDS && env.OS_CLOUD) throw new ConfigError(`set OS_CLOUD or KS_CLOUDS, not both (OS_CLOUD=${env.OS_CLOUD}, KS_CLOUDS=${env.KS_CLOUDS})`);
  if (env.KS_CLOUDS) {
    const names = env.KS_CLOUDS.split(',').map((x) => x.trim());
    if (!names.length || names.some((n) => !n)) throw new ConfigError(`KS_CLOUDS=${env.KS_CLOUDS} must be cloud names separated by commas, one cloud per region`);
    if (new Set(names).size !== names.length) throw new ConfigError(`KS_CLOUDS=${env.KS_CLOUDS} names a cloud twice`);
    const { clouds, file } = loadClouds(env, 'KS_CLOUDS');
    const configs = names.map((name) => {
      const cloud = cloudNamed(clouds, file, name, 'KS_CLOUDS', env);
      if (cloud.regions === undefined && !cloud.region_name) throw new ConfigError(`KS_CLOUDS: cloud ${name} in ${file} has no region_name: with KS_CLOUDS each cloud names its region`);
      // OS_REGION_NAME names one region, not one per cloud: it does not apply here.
      const regions = regionsOf(name, cloud, file, {});
      if (regions.length !== 1) throw new ConfigError(`KS_CLOUDS: cloud ${name} in ${file} lists ${regions.length} regions; with KS_CLOUDS each cloud is one region`);
      return { ...regions[0]!, where: `${file}: cloud ${name}` };
    });
    return targetOf(configs, env, `KS_CLOUDS=${names.join(',')} (${file})`);
  }
  const name = env.OS_CLOUD!;
  const { clouds, file } = loadClouds(env, `OS_CLOUD=${name}`);
  const cloud = cloudNamed(clouds, file, name, `OS_CLOUD=${name}`, env);
  return targetOf(regionsOf(name, cloud, file, env).map((r) => ({ ...r, where: `${file}: cloud ${name}` })), env, `OS_CLOUD=${name} (${file})`);
}

function fromOsVariables(env: NodeJS.ProcessEnv): ExternalTarget {
  const missing = ['OS_AUTH_URL', 'OS_USERNAME', 'OS_PASSWORD'].filter((k) => !env[k]);
  if (missing.length) throw new ConfigError(`KS_TARGET=external needs OS_CLOUD or KS_CLOUDS (clouds.yaml) or ${missing.join(', ')}`);
  const auth: Doc = {
    auth_url: env.OS_AUTH_URL, username: env.OS_USERNAME, password: env.OS_PASSWORD, user_domain_name: env.OS_USER_DOMAIN_NAME, user_domain_id: env.OS_USER_DOMAIN_ID,
    project_name: env.OS_PROJECT_NAME, project_id: env.OS_PROJECT_ID, project_domain_name: env.OS_PROJECT_DOMAIN_NAME, project_domain_id: env.OS_PROJECT_DOMAIN_ID,
    domain_name: env.OS_DOMAIN_NAME, domain_id: env.OS_DOMAIN_ID, system_scope: env.OS_SYSTEM_SCOPE,
  };
  return targetOf([{ region: env.OS_REGION_NAME || 'RegionOne', config: { auth }, where: 'OS_AUTH_URL' }], env, 'OS_* variables');
}

/** The external target the environment describes: KS_CLOUDS, OS_CLOUD, else the OS_* variables. */
export function resolveExternalTarget(env: NodeJS.ProcessEnv = process.env): ExternalTarget {
  return env.OS_CLOUD || env.KS_CLOUDS ? fromClouds(env) : fromOsVariables(env);
}
