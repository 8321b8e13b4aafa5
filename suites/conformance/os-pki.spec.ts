import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import type { KsResponse } from '../../lib/keystone/http.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers } from './catalog-support.js';
import { bodyForMessage } from '../../lib/keystone/mask.js';
import { testId } from '../../lib/coverage/test-ids.js';

/**
 * keystone/api/auth.py AuthTokenOSPKIResource (Zed): @unenforced_api; 410 Gone when
 * [token] revoke_by_id = false, else 403 Forbidden ("returning a list of revoked tokens would
 * require keystone to write invalid tokens to disk"). Which one depends on the deployment's
 * configuration, so both are Zed's behaviour; anything else is not.
 */
function expectPkiRefusal(r: KsResponse): void {
  expect([403, 410], `GET /v3/auth/tokens/OS-PKI/revoked: ${bodyForMessage(r.body)}`).toContain(r.status);
  expect(r.body?.error?.code).toBe(r.status);
}

test.describe('OS-PKI', { tag: '@os-pki' }, () => {
  test('GET /v3/auth/tokens/OS-PKI/revoked is refused (403, or 410 with revoke_by_id = false)', testId('382054a0-7fd8-4057-9de4-dd036121a679', '@slice'), async ({ admin, cluster }) => {
    await allure.feature('pki'); await allure.story('GET /v3/auth/tokens/OS-PKI/revoked');
    const r = await admin.pki.revoked();
    expectPkiRefusal(r);
    // The gate's own deployment keeps Keystone's default revoke_by_id = true: 403 exactly.
    if (cluster.target === 'embedded') expect(r.status).toBe(403);
  });

  test('unenforced: no token, a malformed, a member\'s or a revoked token are refused the same way', testId('feeeada1-1854-41b5-95d8-39e33e58ec62'), async ({ reader, admin, factory }) => {
    await allure.feature('pki'); await allure.story('GET /v3/auth/tokens/OS-PKI/revoked');
    const who = await callers(admin, factory, reader);
    await expectTokenRefusals(who, {
      probe: (ks) => ks.pki.revoked(),
      member: { member: async (member) => expectPkiRefusal(await member.pki.revoked()) },
      refused: expectPkiRefusal,
    });
  });
});
