import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import {
  limitModelResponseSchema, limitResponseSchema, limitsCreatedResponseSchema, limitsResponseSchema,
  registeredLimitResponseSchema, registeredLimitsCreatedResponseSchema, registeredLimitsResponseSchema,
} from '../../lib/keystone/schemas/index.js';
import { passwordAuthBody, systemScoped } from '../../lib/keystone/credentials.js';
import { expectStatus } from '../../lib/keystone/http.js';
import { subjectToken } from '../../lib/keystone/services/tokens.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, expectError, expectJson, expectNoContent, sendBadInputs } from './catalog-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

const ids = (items: { id: string }[]) => items.map((x) => x.id).sort();
const sorted = (...values: string[]) => [...values].sort();

// Registered limits are unique per (service, region, resource name) across the whole cloud:
// every one here belongs to a service of our own, so no other test or tenant is affected.
test.describe('unified limits', { tag: '@limits' }, () => {
  test('registered limits: batch create, filter by service_id/region_id/resource_name, show, 409 duplicate, update, delete', testId('9ead0e3a-2c4f-47a6-88a4-2925c6e4cc5a', '@slice'), async ({ admin, factory }) => {
    await allure.feature('registered limits'); await allure.story('POST/GET/PATCH/DELETE /v3/registered_limits');
    const service = await factory.service();
    const region = await factory.region();
    const cores = factory.name('cores');
    const ram = factory.name('ram');

    const created = await admin.registeredLimits.createBatch([
      { service_id: service.id, resource_name: cores, default_limit: 10, description: 'gate cores' },
      { service_id: service.id, region_id: region.id, resource_name: ram, default_limit: 2048 },
    ]);
    for (const r of created.status === 201 ? created.body.registered_limits : []) factory.defer('registered limit', () => admin.registeredLimits.delete(r.id));
    expectJson(created, 201, registeredLimitsCreatedResponseSchema);
    const [rlCores, rlRam] = created.body.registered_limits;
    expect(rlCores).toMatchObject({ service_id: service.id, region_id: null, resource_name: cores, default_limit: 10, description: 'gate cores' });
    expect(rlRam).toMatchObject({ service_id: service.id, region_id: region.id, resource_name: ram, default_limit: 2048 });

    await test.step('GET /v3/registered_limits?service_id=', async () => {
      const r = await admin.registeredLimits.list({ service_id: service.id });
      expectJson(r, 200, registeredLimitsResponseSchema);
      expect(ids(r.body.registered_limits)).toEqual(sorted(rlCores!.id, rlRam!.id));
    });
    await test.step('GET /v3/registered_limits?service_id=&region_id=', async () => {
      const r = await admin.registeredLimits.list({ service_id: service.id, region_id: region.id });
      expectJson(r, 200, registeredLimitsResponseSchema);
      expect(ids(r.body.registered_limits)).toEqual([rlRam!.id]);
    });
    await test.step('GET /v3/registered_limits?resource_name=', async () => {
      const r = await admin.registeredLimits.list({ resource_name: cores });
      expectJson(r, 200, registeredLimitsResponseSchema);
      expect(ids(r.body.registered_limits)).toEqual([rlCores!.id]);
    });
    await test.step('GET /v3/registered_limits/{registered_limit_id}', async () => {
      const r = await admin.registeredLimits.show(rlRam!.id);
      expectJson(r, 200, registeredLimitResponseSchema);
      expect(r.body.registered_limit).toEqual(rlRam);
    });
    await test.step('the same service, region and resource name again: 409', async () => {
      const r = await admin.registeredLimits.createBatch([{ service_id: service.id, region_id: region.id, resource_name: ram, default_limit: 1 }]);
      for (const x of r.status === 201 ? r.body.registered_limits : []) factory.defer('registered limit', () => admin.registeredLimits.delete(x.id));
      expectError(r, 409);
    });
    await test.step('PATCH /v3/registered_limits/{registered_limit_id}', async () => {
      const r = await admin.registeredLimits.update(rlCores!.id, { default_limit: 20, description: 'gate cores, raised' });
      expectJson(r, 200, registeredLimitResponseSchema);
      expect(r.body.registered_limit).toMatchObject({ id: rlCores!.id, resource_name: cores, default_limit: 20, description: 'gate cores, raised' });
    });
    await test.step('DELETE /v3/registered_limits/{registered_limit_id}, then 404', async () => {
      expectNoContent(await admin.registeredLimits.delete(rlCores!.id));
      expectError(await admin.registeredLimits.show(rlCores!.id), 404);
    });
  });

  test('limits: batch create (project and domain), filters, show, 409 duplicate, update, model, delete', testId('0daf49bb-3d6e-421c-893b-3e982f11f0a4'), async ({ admin, factory, cluster }) => {
    await allure.feature('limits'); await allure.story('POST/GET/PATCH/DELETE /v3/limits');
    const service = await factory.service();
    const region = await factory.region();
    const domain = await factory.domain();
    const project = await factory.project();
    const rlCores = await factory.registeredLimit({ service_id: service.id, default_limit: 10 });
    const rlRam = await factory.registeredLimit({ service_id: service.id, region_id: region.id, default_limit: 2048 });

    const created = await admin.limits.createBatch([
      { project_id: project.id, service_id: service.id, resource_name: rlCores.resource_name, resource_limit: 5, description: 'gate project cores' },
      { domain_id: domain.id, service_id: service.id, resource_name: rlCores.resource_name, resource_limit: 7 },
      { project_id: project.id, service_id: service.id, region_id: region.id, resource_name: rlRam.resource_name, resource_limit: 1024 },
    ]);
    for (const l of created.status === 201 ? created.body.limits : []) factory.defer('limit', () => admin.limits.delete(l.id));
    expectJson(created, 201, limitsCreatedResponseSchema);
    const [projectCores, domainCores, projectRam] = created.body.limits;
    expect(projectCores).toMatchObject({ project_id: project.id, domain_id: null, service_id: service.id, region_id: null, resource_name: rlCores.resource_name, resource_limit: 5, description: 'gate project cores' });
    expect(domainCores).toMatchObject({ domain_id: domain.id, project_id: null, resource_limit: 7 });
    expect(projectRam).toMatchObject({ project_id: project.id, region_id: region.id, resource_name: rlRam.resource_name, resource_limit: 1024 });

    const filters: [string, Record<string, string>, string[]][] = [
      ['service_id', { service_id: service.id }, [projectCores!.id, domainCores!.id, projectRam!.id]],
      ['region_id', { service_id: service.id, region_id: region.id }, [projectRam!.id]],
      ['resource_name', { resource_name: rlCores.resource_name }, [projectCores!.id, domainCores!.id]],
      ['project_id', { service_id: service.id, project_id: project.id }, [projectCores!.id, projectRam!.id]],
      ['domain_id', { service_id: service.id, domain_id: domain.id }, [domainCores!.id]],
    ];
    // keystone/api/limits.py: a project-scoped caller, admin included, only ever lists its own
    // project's limits; the whole list needs a system-scoped token.
    const system = admin.as(async () => subjectToken(expectStatus(await admin.tokens.issue(passwordAuthBody(systemScoped(cluster.admin))), 201)));
    await test.step('GET /v3/limits with the admin\'s project-scoped token: only the admin project\'s limits', async () => {
      const r = await admin.limits.list({ service_id: service.id });
      expectJson(r, 200, limitsResponseSchema);
      expect(r.body.limits).toEqual([]);
    });
    for (const [what, query, expected] of filters) {
      await test.step(`GET /v3/limits?${what}= (system scope)`, async () => {
        const r = await system.limits.list(query);
        expectJson(r, 200, limitsResponseSchema);
        expect(ids(r.body.limits)).toEqual(sorted(...expected));
      });
    }
    await test.step('GET /v3/limits/{limit_id}', async () => {
      const r = await admin.limits.show(projectCores!.id);
      expectJson(r, 200, limitResponseSchema);
      expect(r.body.limit).toEqual(projectCores);
    });
    await test.step('the same project, service and resource again: 409', async () => {
      const r = await admin.limits.createBatch([{ project_id: project.id, service_id: service.id, resource_name: rlCores.resource_name, resource_limit: 1 }]);
      for (const x of r.status === 201 ? r.body.limits : []) factory.defer('limit', () => admin.limits.delete(x.id));
      expectError(r, 409);
    });
    await test.step('PATCH /v3/limits/{limit_id}', async () => {
      const r = await admin.limits.update(projectCores!.id, { resource_limit: 9, description: 'gate, raised' });
      expectJson(r, 200, limitResponseSchema);
      expect(r.body.limit).toMatchObject({ id: projectCores!.id, project_id: project.id, resource_limit: 9, description: 'gate, raised' });
    });
    await test.step('GET /v3/limits/model: the default flat model', async () => {
      const r = await admin.limits.model();
      expectJson(r, 200, limitModelResponseSchema);
      expect(r.body.model.name).toBe('flat');
    });
    await test.step('a registered limit that limits still use cannot be deleted: 403', async () => {
      expectError(await admin.registeredLimits.delete(rlCores.id), 403);
    });
    await test.step('DELETE /v3/limits/{limit_id}, then 404', async () => {
      expectNoContent(await admin.limits.delete(projectCores!.id));
      expectError(await admin.limits.show(projectCores!.id), 404);
    });
  });

  test('unknown ids: 404; a limit with no registered limit: 403; unknown service: 400', testId('b86a472f-57fb-48d4-b93a-bdabc6219fa5'), async ({ admin, factory }) => {
    await allure.feature('limits'); await allure.story('GET/PATCH/DELETE /v3/limits/{limit_id}');
    const unknown = 'ksgate0000000000000000000000000000';
    expectError(await admin.limits.show(unknown), 404);
    expectError(await admin.limits.update(unknown, { resource_limit: 1 }), 404);
    expectError(await admin.limits.delete(unknown), 404);
    expectError(await admin.registeredLimits.show(unknown), 404);
    expectError(await admin.registeredLimits.update(unknown, { default_limit: 1 }), 404);
    expectError(await admin.registeredLimits.delete(unknown), 404);
    const service = await factory.service();
    const project = await factory.project();
    // keystone/exception.py NoLimitReference is a Forbidden.
    const orphan = await admin.limits.createBatch([{ project_id: project.id, service_id: service.id, resource_name: factory.name('resource'), resource_limit: 1 }]);
    for (const x of orphan.status === 201 ? orphan.body.limits : []) factory.defer('limit', () => admin.limits.delete(x.id));
    expectError(orphan, 403);
    // limit/core.py _assert_resource_exist turns ServiceNotFound into a ValidationError.
    const noService = await admin.registeredLimits.createBatch([{ service_id: unknown, resource_name: factory.name('resource'), default_limit: 1 }]);
    for (const x of noService.status === 201 ? noService.body.registered_limits : []) factory.defer('registered limit', () => admin.registeredLimits.delete(x.id));
    expectError(noService, 400);
  });

  test('rejects missing, malformed and revoked tokens (401); a plain member cannot write (403) and reads only their project', testId('ff07e405-68f0-49f6-ae49-0d0b413f4300'), async ({ reader, admin, factory }) => {
    await allure.feature('limits'); await allure.story('GET/POST /v3/limits');
    const service = await factory.service();
    const rl = await factory.registeredLimit({ service_id: service.id });
    const otherProject = await factory.project();
    const theirs = await factory.limit({ project_id: otherProject.id, service_id: service.id, resource_name: rl.resource_name });
    const who = await callers(admin, factory, reader);
    await expectTokenRefusals(who, {
      probe: (ks) => ks.limits.list(),
      probeAs: { malformed: (ks) => ks.registeredLimits.list() },
      member: {
        'member creates a registered limit': async (member) => {
          const r = await member.registeredLimits.createBatch([{ service_id: service.id, resource_name: factory.name('resource'), default_limit: 1 }]);
          for (const x of r.status === 201 ? r.body.registered_limits : []) factory.defer('registered limit', () => admin.registeredLimits.delete(x.id));
          expectError(r, 403);
        },
        'member creates a limit for their own project': async (member) => {
          const r = await member.limits.createBatch([{ project_id: who.memberProjectId, service_id: service.id, resource_name: rl.resource_name, resource_limit: 99 }]);
          for (const x of r.status === 201 ? r.body.limits : []) factory.defer('limit', () => admin.limits.delete(x.id));
          expectError(r, 403);
        },
        'member updates another project\'s limit': async (member) => expectError(await member.limits.update(theirs.id, { resource_limit: 99 }), 403),
        'member shows another project\'s limit': async (member) => expectError(await member.limits.show(theirs.id), 403),
        // identity:list_limits is '': a project-scoped caller gets only its own project's limits (keystone/api/limits.py).
        'member lists limits: only their project\'s': async (member) => {
          const r = await member.limits.list({ service_id: service.id });
          expectJson(r, 200, limitsResponseSchema);
          expect(r.body.limits).toEqual([]);
        },
      },
    });
  });

  test('bad input on POST /v3/registered_limits: 4xx, never 5xx', testId('84beb4b4-45ea-456f-8cf2-749427610cfa'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('registered limits'); await allure.story('POST /v3/registered_limits');
    const service = await factory.service();
    const valid = { service_id: service.id, resource_name: factory.name('resource'), default_limit: 10 };
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'POST', path: '/v3/registered_limits', template: '/v3/registered_limits',
      spec: { memberKey: null, valid, required: 'resource_name', longField: 'resource_name', typedField: 'default_limit' },
      wrap: (shape) => ({ registered_limits: [shape] }),
      extraShapes: [
        { shape: 'envelope-object-instead-of-array', json: { registered_limits: valid } },
        { shape: 'envelope-empty-array', json: { registered_limits: [] } },
        { shape: 'envelope-top-level-array', json: [{ registered_limits: [valid] }] },
      ],
      cleanup: (r) => { for (const x of r.body.registered_limits ?? []) factory.defer('registered limit from bad input', () => admin.registeredLimits.delete(x.id)); },
    });
  });

  test('bad input on PATCH /v3/registered_limits/{registered_limit_id}: 4xx, never 5xx', testId('d9ea2442-e0b8-4284-ad4d-9126913c4ad3'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('registered limits'); await allure.story('PATCH /v3/registered_limits/{registered_limit_id}');
    const service = await factory.service();
    const rl = await factory.registeredLimit({ service_id: service.id });
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'PATCH', path: `/v3/registered_limits/${rl.id}`, template: '/v3/registered_limits/{registered_limit_id}',
      spec: { memberKey: 'registered_limit', valid: { default_limit: 11 }, longField: 'resource_name', typedField: 'default_limit' },
      // registered_limit_update has no minProperties: {} (no registered_limit member) is an empty, valid update.
      accepted: { 'missing-body': 'an empty update is valid (no minProperties in registered_limit_update)' },
    });
  });

  test('bad input on POST /v3/limits: 4xx, never 5xx', testId('b03ac77b-1040-4bae-b121-7d33f40435ed'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('limits'); await allure.story('POST /v3/limits');
    const service = await factory.service();
    const project = await factory.project();
    const rl = await factory.registeredLimit({ service_id: service.id });
    const valid = { project_id: project.id, service_id: service.id, resource_name: rl.resource_name, resource_limit: 3 };
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'POST', path: '/v3/limits', template: '/v3/limits',
      spec: { memberKey: null, valid, required: 'resource_limit', longField: 'resource_name', typedField: 'resource_limit' },
      wrap: (shape) => ({ limits: [shape] }),
      extraShapes: [
        { shape: 'envelope-object-instead-of-array', json: { limits: valid } },
        { shape: 'envelope-empty-array', json: { limits: [] } },
        { shape: 'envelope-top-level-array', json: [{ limits: [valid] }] },
        { shape: 'both-project-and-domain', json: { limits: [{ ...valid, domain_id: 'default' }] } },
        { shape: 'resource-limit-out-of-range', json: { limits: [{ ...valid, resource_limit: 2 ** 31 }] } },
      ],
      cleanup: (r) => { for (const x of r.body.limits ?? []) factory.defer('limit from bad input', () => admin.limits.delete(x.id)); },
    });
  });

  test('bad input on PATCH /v3/limits/{limit_id}: 4xx, never 5xx', testId('5889202a-fa97-4fd1-9b8a-0800a43f472d'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('limits'); await allure.story('PATCH /v3/limits/{limit_id}');
    const service = await factory.service();
    const project = await factory.project();
    const rl = await factory.registeredLimit({ service_id: service.id });
    const limit = await factory.limit({ project_id: project.id, service_id: service.id, resource_name: rl.resource_name });
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'PATCH', path: `/v3/limits/${limit.id}`, template: '/v3/limits/{limit_id}',
      spec: { memberKey: 'limit', valid: { resource_limit: 4 }, longField: 'description', typedField: 'resource_limit' },
      accepted: {
        'missing-body': 'an empty update is valid (no minProperties in limit_update)',
        'too-long': 'description is unbounded (parameter_types.description)',
      },
    });
  });
});
