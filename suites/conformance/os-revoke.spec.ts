import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { revokeEventsResponseSchema } from '../../lib/keystone/schemas/index.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, expectError, expectJson } from './catalog-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

test.describe('revocation events', { tag: '@os-revoke' }, () => {
  test('revoking a token records an event with its audit id, listed by GET /v3/OS-REVOKE/events?since=', testId('5584a198-8534-4899-b6f2-084d5cdffcc2', '@slice'), async ({ admin, reader, factory }) => {
    await allure.feature('revocation events'); await allure.story('GET /v3/OS-REVOKE/events');
    const m = await factory.member();
    const auditId = (await admin.tokens.validate(m.token)).body.token.audit_ids[0]!;
    // A minute of slack: `since` compares with Keystone's clock, not ours.
    const since = new Date(Date.now() - 60_000).toISOString();
    expect((await admin.tokens.revoke(m.token)).status).toBe(204);

    // The event is read on the other API node: it is stored state every node must serve.
    const r = await reader.revokeEvents.list(since);
    expectJson(r, 200, revokeEventsResponseSchema);
    const event = r.body.events.find((e) => e.audit_id === auditId);
    expect(event, `an event for audit id ${auditId}`).toBeTruthy();
    expect(Date.parse(event!.issued_before)).toBeGreaterThan(Date.parse(since));
    expect(r.body.links).toMatchObject({ self: expect.stringContaining('/v3/OS-REVOKE/events'), next: null, previous: null });

    await test.step('since in the future: no event', async () => {
      const future = await admin.revokeEvents.list(new Date(Date.now() + 3_600_000).toISOString());
      expectJson(future, 200, revokeEventsResponseSchema);
      expect(future.body.events).toEqual([]);
    });
    await test.step('since that is not a date: 400', async () => {
      expectError(await admin.revokeEvents.list('not-a-date'), 400);
    });
  });

  test('rejects missing, malformed and revoked tokens (401) and a plain member (403)', testId('ce5ebf09-f43b-4f97-8c34-007c59695070'), async ({ reader, admin, factory }) => {
    await allure.feature('revocation events'); await allure.story('GET /v3/OS-REVOKE/events');
    const who = await callers(admin, factory, reader);
    await expectTokenRefusals(who, {
      probe: (ks) => ks.revokeEvents.list(),
      member: {
        // identity:list_revoke_events is rule:service_or_admin.
        'member lists events': async (member) => expectError(await member.revokeEvents.list(), 403),
      },
    });
  });
});
