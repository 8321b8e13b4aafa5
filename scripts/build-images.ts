// Builds (or finds, by content hash) every image the configured run needs, before tests start,
// so build time is reported apart from test time.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
import { readSettings } from '../lib/config/settings.js';
import { faultProxyImage, galeraImage, keystoneImage, postgresImage } from '../lib/cluster/images.js';

const settings = readSettings();
const started = Date.now();
const keystone = await keystoneImage(settings);
// Both backends: the chaos project runs on Galera whatever the run's backend.
const db = [await postgresImage(), await galeraImage(), await faultProxyImage()].join(', ');
if (process.env.KS_PATCHED_PATCH) await keystoneImage({ ...settings, keystonePatch: process.env.KS_PATCHED_PATCH, keystoneImage: undefined });
process.stderr.write(`[setup] images ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${keystone.image} (${keystone.variant}), ${db}\n`);
