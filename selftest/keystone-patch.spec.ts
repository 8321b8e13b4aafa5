import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { keystoneImage } from '../lib/cluster/images.js';
import { readSettings } from '../lib/config/settings.js';

process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

// Real image build against the local engine (setup.sh has built the stock image).
test('a user patch that does not apply fails the build with patch\'s own message', async () => {
  test.setTimeout(5 * 60_000);
  const dir = mkdtempSync(join(tmpdir(), 'ks-badpatch-'));
  const file = join(dir, 'bad.diff');
  // A unique line so the tag never matches a cached image.
  writeFileSync(file, `--- a/keystone/gate_missing_${process.pid}.py\n+++ b/keystone/gate_missing_${process.pid}.py\n@@ -1,1 +1,1 @@\n-old\n+new\n`);
  const error = await keystoneImage(readSettings({ KS_KEYSTONE_PATCH: file })).then(() => undefined, (e: Error) => e);
  expect(error?.message).toContain(`KS_KEYSTONE_PATCH=${file} does not apply`);
  expect(error?.message).toMatch(/No file to patch|can't find file/);
});
