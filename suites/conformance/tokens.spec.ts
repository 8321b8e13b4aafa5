import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { passwordAuthBody } from '../../lib/keystone/credentials.js';
import { subjectToken } from '../../lib/keystone/services/tokens.js';
import { testId } from '../../lib/coverage/test-ids.js';

test.describe('auth tokens', { tag: ['@tokens', '@slice'] }, () => {
  test('issue (password, project scope), validate, check, revoke, then 404', testId('8f6a2b3c-1d4e-4a5f-9b6c-7d8e9f0a1b03'), async ({ admin, reader, cluster }) => {
    await allure.feature('tokens'); await allure.story('POST/GET/HEAD/DELETE /v3/auth/tokens');
    const issued = await admin.tokens.issue(passwordAuthBody(cluster.admin));
    expect(issued.status).toBe(201);
    const token = subjectToken(issued);
    const body = issued.body.token;
    expect(body.methods).toEqual(['password']);
    expect(body.project?.name).toBe(cluster.admin.projectName);
    expect(body.roles?.map((r) => r.name)).toContain('admin');
    expect(Date.parse(body.expires_at)).toBeGreaterThan(Date.now());
    expect(body.catalog?.some((s) => s.type === 'identity')).toBe(true);

    const validated = await admin.tokens.validate(token);
    expect(validated.status).toBe(200);
    expect(validated.headers['x-subject-token']).toBe(token);
    expect(validated.body.token.audit_ids).toEqual(body.audit_ids);

    const checked = await admin.tokens.check(token);
    expect(checked.status).toBe(200);

    const revoked = await admin.tokens.revoke(token);
    expect(revoked.status).toBe(204);

    // On the other API node, through a fresh connection: a revocation one node caches is no revocation.
    const after = await reader.tokens.validate(token);
    expect(after.status).toBe(404);
    expect(after.body.error?.code).toBe(404);
    expect((await reader.tokens.check(token)).status).toBe(404);
    expect((await admin.tokens.check(token)).status).toBe(404);
  });

  test('a wrong password gets 401 with Keystone\'s error body', testId('0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d04'), async ({ admin, cluster }) => {
    await allure.feature('tokens'); await allure.story('POST /v3/auth/tokens');
    const r = await admin.tokens.issue(passwordAuthBody({ ...cluster.admin, password: 'not-the-password' }));
    expect(r.status).toBe(401);
    expect(r.body.error).toMatchObject({ code: 401, title: 'Unauthorized' });
    expect(r.headers['x-subject-token']).toBeUndefined();
  });
});
