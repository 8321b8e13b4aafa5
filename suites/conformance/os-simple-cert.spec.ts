import * as allure from 'allure-js-commons';
import { test } from '../../fixtures/test.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, expectError } from './catalog-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

// keystone/api/os_simple_cert.py (Zed): both resources are @unenforced_api and raise Gone ("no
// longer available due to the removal of support for PKI tokens"), whoever asks. There is no
// positive case to test (lib/coverage/gaps/catalog.ts says why).
test.describe('OS-SIMPLE-CERT', { tag: '@os-simple-cert' }, () => {
  test('GET /v3/OS-SIMPLE-CERT/ca and /certificates answer 410 Gone', testId('63916388-f642-4e1a-b4e3-af64b120194d', '@slice'), async ({ admin }) => {
    await allure.feature('simple cert'); await allure.story('GET /v3/OS-SIMPLE-CERT/ca, /certificates');
    await test.step('GET /v3/OS-SIMPLE-CERT/ca', async () => expectError(await admin.simpleCert.ca(), 410));
    await test.step('GET /v3/OS-SIMPLE-CERT/certificates', async () => expectError(await admin.simpleCert.certificates(), 410));
  });

  test('unenforced: no token, a malformed, a member\'s or a revoked token get the same 410', testId('262aa98f-23e7-4e6f-bbf6-7c0e815c3313'), async ({ reader, admin, factory }) => {
    await allure.feature('simple cert'); await allure.story('GET /v3/OS-SIMPLE-CERT/ca, /certificates');
    const who = await callers(admin, factory, reader);
    await expectTokenRefusals(who, {
      probe: (ks) => ks.simpleCert.certificates(),
      probeAs: { anonymous: (ks) => ks.simpleCert.ca() },
      member: { member: async (member) => expectError(await member.simpleCert.ca(), 410) },
      refused: (res) => expectError(res, 410),
    });
  });
});
