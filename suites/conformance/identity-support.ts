/**
 * Helpers shared by the identity-side conformance specs (users, groups, projects, project tags,
 * domains, domain configs, roles, implied roles, grants, system roles, OS-INHERIT, role
 * assignments). Builds on catalog-support.ts (status/header/schema assertions, the 401/403
 * callers). Not a spec: Playwright only collects *.spec.ts.
 */
import { expect, test } from '../../fixtures/test.js';
import { runBadInputMatrix, type BadInputMatrixCtx, type BadInputMatrixOp } from '../../lib/conformance/bad-input-matrix.js';
import type { Keystone } from '../../lib/keystone/client.js';
import { expectStatus } from '../../lib/keystone/http.js';

export { callers, expectError, expectJson, expectNoContent, deleteAtPath, sendBadPathIds, type Callers } from './catalog-support.js';

/** An id Keystone never issued (uuid4 hex has the same shape). */
export const UNKNOWN_ID = 'ffffffffffffffffffffffffffffffff';

/** A route's bad-input matrix (lib/conformance/bad-input-matrix.ts). */
export type BadBodyOperation = BadInputMatrixOp;

/**
 * The route's bad-input matrix: positive control, boundary probes of schema-limits.ts, then every
 * malformed body (runBadInputMatrix), one test.step each.
 */
export async function sendBadBodies(ctx: BadInputMatrixCtx, op: BadBodyOperation): Promise<void> {
  await runBadInputMatrix(ctx, op);
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
