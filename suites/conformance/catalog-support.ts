/**
 * Assertions shared by the catalog-side conformance specs (services, endpoints, regions,
 * credentials, policies, endpoint policy, endpoint filter, limits). Not a spec: Playwright only
 * collects *.spec.ts.
 */
import type { TestInfo } from '@playwright/test';
import { expect, test } from '../../fixtures/test.js';
import type { ClusterInfo } from '../../lib/cluster/cluster-info.js';
import { badPathIds, type BadInput } from '../../lib/conformance/bad-input.js';
import { runBadInputMatrix, type BadInputMatrixCtx, type BadInputMatrixOp } from '../../lib/conformance/bad-input-matrix.js';
import type { BadInputRoute } from '../../lib/conformance/bad-input-judgement.js';
import { expectClientError, outcomeOf } from '../../lib/conformance/server-error.js';
import type { Keystone } from '../../lib/keystone/client.js';
import { KeystoneTransportError } from '../../lib/keystone/errors.js';
import type { ResourceFactory } from '../../lib/keystone/factory.js';
import type { HttpMethod, KsResponse } from '../../lib/keystone/http.js';
import { assertSchema, type JsonSchema } from '../../lib/keystone/schemas/index.js';
import { seg } from '../../lib/keystone/services/service-client.js';
import { bodyForMessage } from '../../lib/keystone/mask.js';

export { callers, expectError, type Callers } from '../../lib/conformance/auth-refusals.js';

/** Status, the headers every Keystone JSON answer carries, and the body against its schema. */
export function expectJson(res: KsResponse, status: number, schema?: JsonSchema): void {
  expect(res.status, `${res.method} ${res.path}: ${bodyForMessage(res.body)}`).toBe(status);
  expect(res.headers['content-type']).toContain('application/json');
  expect(res.headers['x-openstack-request-id']).toMatch(/^req-[0-9a-f-]{36}$/);
  if (schema) assertSchema(schema, res.body, `${res.method} ${res.path} body`);
}

/** 204 with no body (associations, deletes). */
export function expectNoContent(res: KsResponse): void {
  expect(res.status, `${res.method} ${res.path}: ${bodyForMessage(res.body)}`).toBe(204);
  expect(res.body).toBeNull();
  expect(res.headers['x-openstack-request-id']).toMatch(/^req-/);
}

/** A route's bad-input matrix (lib/conformance/bad-input-matrix.ts); `extraShapes` are sent unwrapped. */
export interface BadInputOperation extends Omit<BadInputMatrixOp, 'extra'> {
  /** Shapes of the envelope itself, sent as built after those of badInputs(). */
  extraShapes?: BadInput[];
}

/**
 * The route's bad-input matrix: positive control, boundary probes of schema-limits.ts, then every
 * malformed body (runBadInputMatrix), one test.step each.
 */
export async function sendBadInputs(ctx: BadInputMatrixCtx, op: BadInputOperation): Promise<void> {
  const { extraShapes, ...rest } = op;
  await runBadInputMatrix(ctx, { ...rest, extra: extraShapes });
}

export interface BadPathOperation {
  method: Extract<HttpMethod, 'POST' | 'PUT'>;
  /** Path template with `{placeholders}`, for the request and the check's description. */
  template: string;
  /** Existing values of every placeholder (sent percent-encoded). */
  ids: Record<string, string>;
  /** The placeholder the malformed ids of badPathIds() go into. */
  into: string;
  /**
   * An authentication route (federated auth, WebSSO): a malformed id may also get the api-ref's
   * 401, which Keystone gives before it looks the id up.
   */
  authRoute?: true;
  /** Sends no X-Auth-Token (unauthenticated routes: federated authentication, WebSSO). */
  anonymous?: true;
  /** Registers the undo of whatever a 2xx answer created at `path` (a bug, or a known defect). */
  cleanup?: (path: string) => void;
}

/** A BadPathOperation cleanup: what a malformed-id PUT created by mistake is DELETEd at `path` when the test ends. */
export function deleteAtPath(admin: Keystone, factory: ResourceFactory, what: string): (path: string) => void {
  return (path) => factory.defer(what, async () => admin.http.request('DELETE', path, { token: await admin.tokenSource() }));
}

/**
 * Bad input of a body-less write: every id of badPathIds() in one placeholder (404 no such entity,
 * or 400 when Keystone refuses the id itself, e.g. StringLengthExceeded for an over-long id it
 * writes), then the valid path with a non-JSON body (400: keystone/server/flask/request_processing/
 * json_body.py refuses any body that is not a JSON object before the route runs). One test.step
 * per shape; a failing shape is a soft failure, so every shape still runs.
 */
export async function sendBadPathIds(ctx: { admin: Keystone; testInfo: TestInfo; cluster: ClusterInfo }, op: BadPathOperation): Promise<void> {
  if (!(op.into in op.ids)) throw new Error(`${op.template}: no placeholder {${op.into}} among ${Object.keys(op.ids).join(', ')}`);
  const token = op.anonymous ? null : await ctx.admin.tokenSource();
  const fill = (bad?: string) => op.template.replace(/\{([^{}]+)\}/g, (_, k: string) => (k === op.into && bad !== undefined ? bad : seg(op.ids[k]!)));
  const cases = [
    ...badPathIds().map((b) => ({ ...b, path: fill(b.segment), raw: undefined as string | undefined, route: (op.authRoute ? 'auth-path-id' : 'path-id') as BadInputRoute, shape: `${op.into}:${b.shape}` })),
    { shape: 'not-json-body', path: fill(), raw: '{"this is": not json', unrouted: undefined, route: 'body' as BadInputRoute },
  ];
  for (const c of cases) {
    await test.step(`${op.method} ${op.template}: ${c.shape}`, async () => {
      const outcome = await outcomeOf(ctx.admin.http.request(op.method, c.path, c.raw === undefined ? { token } : { token, rawBody: c.raw }));
      if (!(outcome instanceof KeystoneTransportError) && outcome.status >= 200 && outcome.status < 300) op.cleanup?.(c.path);
      try {
        // No route matched (unrouted): werkzeug's own 404 page is the right answer, though not Keystone's JSON.
        await expectClientError(outcome, { testInfo: ctx.testInfo, cluster: ctx.cluster, what: `${op.method} ${op.template} [${c.shape}]` }, c.route, { unrouted: !!c.unrouted });
      } catch (e) {
        expect.soft(undefined, (e as Error).message).toBeDefined();
      }
    });
  }
}
