/**
 * Helpers shared by the identity-side conformance specs (users, groups, projects, project tags,
 * domains, domain configs, roles, implied roles, grants, system roles, OS-INHERIT, role
 * assignments). Builds on catalog-support.ts (status/header/schema assertions, the 401/403
 * callers). Not a spec: Playwright only collects *.spec.ts.
 */
import type { TestInfo } from '@playwright/test';
import { expect, test } from '../../fixtures/test.js';
import type { ClusterInfo } from '../../lib/cluster/cluster-info.js';
import { badInputs, type BadInput, type BadInputSpec } from '../../lib/conformance/bad-input.js';
import { expectClientError, outcomeOf } from '../../lib/conformance/server-error.js';
import type { Keystone } from '../../lib/keystone/client.js';
import { KeystoneTransportError } from '../../lib/keystone/errors.js';
import { expectStatus, type HttpMethod, type KsResponse } from '../../lib/keystone/http.js';

export { callers, expectError, expectJson, expectNoContent, deleteAtPath, sendBadPathIds, type Callers } from './catalog-support.js';

/** An id Keystone never issued (uuid4 hex has the same shape). */
export const UNKNOWN_ID = 'ffffffffffffffffffffffffffffffff';

export interface BadBodyOperation {
  method: Extract<HttpMethod, 'POST' | 'PUT' | 'PATCH'>;
  /** Concrete path of the request. */
  path: string;
  /** Path template, for step titles and messages (`/v3/users/{user_id}`). */
  template: string;
  /** The shapes of badInputs(spec), plus any operation-specific ones. */
  spec?: BadInputSpec;
  extra?: BadInput[];
  /**
   * Shapes Zed accepts by design, with the reason (e.g. `additionalProperties: true` in
   * keystone/identity/schema.py stores unknown attributes as extras): they must answer 2xx.
   */
  accepted?: Record<string, string>;
  /** Registers the deletion of whatever a 2xx answer created (accepted shapes, or a bug). */
  cleanup?: (res: KsResponse) => void;
}

/**
 * Sends every malformed body to one write operation, one test.step per shape. A shape that
 * fails is a soft failure, so every shape still runs and the report names each one.
 */
export async function sendBadBodies(ctx: { admin: Keystone; testInfo: TestInfo; cluster: ClusterInfo }, op: BadBodyOperation): Promise<void> {
  const token = await ctx.admin.tokenSource();
  const inputs = [...(op.spec ? badInputs(op.spec) : []), ...(op.extra ?? [])];
  expect(inputs.length, 'at least one bad input').toBeGreaterThan(0);
  for (const input of inputs) {
    await test.step(`${op.method} ${op.template}: ${input.shape}`, async () => {
      const headers = input.contentType ? { 'content-type': input.contentType } : undefined;
      const outcome = await outcomeOf(ctx.admin.http.request(op.method, op.path, input.raw !== undefined
        ? { token, rawBody: input.raw, headers }
        : { token, body: input.json, headers }));
      const ok = !(outcome instanceof KeystoneTransportError) && outcome.status >= 200 && outcome.status < 300;
      if (ok) op.cleanup?.(outcome as KsResponse);
      const acceptedWhy = op.accepted?.[input.shape];
      try {
        if (acceptedWhy) {
          const got = outcome instanceof KeystoneTransportError ? `no response (${outcome.kind})` : `HTTP ${outcome.status}`;
          expect(ok, `${op.method} ${op.template} [${input.shape}] is accepted by Zed (${acceptedWhy}); got ${got}`).toBe(true);
        } else {
          await expectClientError(outcome, { testInfo: ctx.testInfo, cluster: ctx.cluster, what: `${op.method} ${op.template} [${input.shape}]` });
        }
      } catch (e) {
        expect.soft(undefined, (e as Error).message).toBeDefined();
      }
    });
  }
}

/**
 * GET-by-id with ids carrying path characters. `a/b` percent-encoded (%2F) must not reach
 * another route; `%2E%2E` is one segment naming `..`; a bare `..` is resolved by the server as
 * a dot-segment (RFC 3986), so it must at least not answer with the entity or a 5xx.
 */
export async function expectPathIdsRejected(admin: Keystone, collection: string, memberKey: string): Promise<void> {
  const token = await admin.tokenSource();
  await test.step(`GET ${collection}/gate%2Fid: 404`, async () => {
    const r = await admin.http.request('GET', `${collection}/gate%2Fid`, { token });
    // Werkzeug's router answers this (no route matches), with its HTML page rather than Keystone's JSON error.
    expect(r.status).toBe(404);
  });
  await test.step(`GET ${collection}/%2E%2E: Keystone's 404`, async () => {
    const r = await admin.http.request('GET', `${collection}/%2E%2E`, { token });
    expect(r.status).toBe(404);
    expect(r.body?.error?.code).toBe(404);
  });
  await test.step(`GET ${collection}/..: no entity, no 5xx`, async () => {
    const r = await admin.http.request('GET', `${collection}/..`, { token });
    expect(r.status).toBeLessThan(500);
    expect(r.body?.[memberKey]).toBeUndefined();
  });
}

/** The id of the user behind a client's token (one validation request). */
export async function userIdOf(ks: Keystone): Promise<string> {
  const token = await ks.tokenSource();
  if (!token) throw new Error('client has no token');
  return expectStatus(await ks.tokens.validate(token, { nocatalog: true }), 200).body.token.user.id;
}

/** Ids of a list, sorted: comparisons of filter results ignore order. */
export function ids(items: readonly { id: string }[]): string[] {
  return items.map((i) => i.id).sort();
}
