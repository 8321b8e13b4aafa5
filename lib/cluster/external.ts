import type { ClusterInfo } from './cluster-info.js';
import { resolveExternalTarget } from './clouds.js';
import { newRunId } from './embedded.js';
import { resolveExternalContainers, type InspectContainer } from './external-containers.js';
import { waitForKeystone } from './readiness.js';
import { TLS_CA_FILE_ENV, TLS_INSECURE_ENV } from '../keystone/http.js';

/**
 * An external cloud: nothing is started, the suite only checks it can reach every region's
 * Keystone and get an admin token there, within a short deadline so a dead URL fails fast.
 * Each region keeps its own endpoint (clouds.yaml per-region auth_url, or KS_CLOUDS: one cloud
 * per region, lib/cluster/clouds.ts); containers named per region (lib/cluster/external-containers.ts)
 * give the chaos injectors and the log readers their targets.
 */
export async function connectExternal(env: NodeJS.ProcessEnv = process.env, timeoutMs = 8_000, inspect?: InspectContainer): Promise<ClusterInfo> {
  const t = resolveExternalTarget(env);
  const names = t.regions.map((r) => r.region);
  // Checked (and docker asked) before anything is reached, so a bad mapping fails first.
  const containers = await resolveExternalContainers(names, env, inspect);
  // TLS for every connection of this process and of the workers, which inherit the environment.
  if (t.tls.caFile) process.env[TLS_CA_FILE_ENV] = t.tls.caFile;
  if (t.tls.insecure) process.env[TLS_INSECURE_ENV] = '1';
  const started = Date.now();
  await Promise.all([...new Set(t.regions.map((r) => r.authUrl))].map((url) => waitForKeystone(url, t.admin, timeoutMs)));
  return {
    target: 'external', backend: env.KS_BACKEND ?? 'unknown', keystoneVariant: 'external', runId: newRunId(), ownedBySuite: false,
    regions: t.regions.map((r, i) => ({ region: r.region, baseUrl: r.authUrl, ...containers[i] })),
    admin: t.admin,
    startedAt: new Date(started).toISOString(), bringUpSeconds: (Date.now() - started) / 1000,
  };
}
