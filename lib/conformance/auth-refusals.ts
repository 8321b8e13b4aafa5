/**
 * The authentication and authorization negatives every conformance spec runs against its own
 * resource: no token, a token Keystone never issued and a revoked token get 401; a plain member
 * gets what the resource's policy gives it (mostly 403). The sequence is shared; the requests and
 * the member's expectations are the spec's own.
 */
import { expect, test } from '@playwright/test';
import type { Keystone } from '../keystone/client.js';
import type { ResourceFactory } from '../keystone/factory.js';
import type { KsResponse } from '../keystone/http.js';
import { bodyForMessage } from '../keystone/mask.js';

/** An error status with Keystone's error body; 401 also names the identity endpoint in WWW-Authenticate. */
export function expectError(res: KsResponse, status: number): void {
  expect(res.status, `${res.method} ${res.path}: ${bodyForMessage(res.body)}`).toBe(status);
  // HEAD answers carry no body at all.
  if (res.method !== 'HEAD') expect(res.body?.error?.code).toBe(status);
  if (status === 401) expect(res.headers['www-authenticate']).toMatch(/^Keystone uri=/);
}

/** The identities of the authentication/authorization negatives, built once per test. */
export interface Callers {
  /** No X-Auth-Token at all. */
  anonymous: Keystone;
  /** A token Keystone never issued. */
  malformed: Keystone;
  /** A plain member of a fresh project: holds no admin role anywhere. */
  member: Keystone;
  memberUserId: string;
  memberProjectId: string;
  /**
   * Revokes the member's token (DELETE /v3/auth/tokens) and returns a client still using it, on
   * the reader node: revocation must hold on an API node that did not take it (issue #11).
   */
  revokedMember(): Promise<Keystone>;
}

export async function callers(admin: Keystone, factory: ResourceFactory, reader: Keystone = admin): Promise<Callers> {
  const m = await factory.member();
  return {
    anonymous: admin.as(async () => null),
    malformed: admin.as(async () => 'gAAAAABgate-not-a-token-' + 'x'.repeat(40)),
    member: admin.as(async () => m.token),
    memberUserId: m.user.id,
    memberProjectId: m.project.id,
    async revokedMember() {
      expect((await admin.tokens.revoke(m.token)).status).toBe(204);
      return reader.as(async () => m.token);
    },
  };
}

/** One request of the resource, sent as `caller`. */
export type Probe = (caller: Keystone) => Promise<KsResponse>;

export interface TokenRefusals {
  /** The request sent with no token, with a malformed token and with the member's revoked token. */
  probe: Probe;
  /** Another request for one of those callers, where the spec probes one (e.g. a path only the revoked member's own ids fill). */
  probeAs?: Partial<Record<'anonymous' | 'malformed' | 'revoked', Probe>>;
  /**
   * The plain member's expectations, step title → body given the member's client, run in order
   * as one test.step each: the writes and reads its policy refuses (403), and those it allows.
   */
  member: Record<string, (member: Keystone) => Promise<void>>;
  /**
   * How every probe must be answered: 401 by default. Unenforced routes (OS-SIMPLE-CERT, OS-PKI)
   * answer the same whoever asks; their spec says how.
   */
  refused?: (res: KsResponse) => void;
}

/**
 * Steps `no token`, `malformed token`, the member's steps, then `revoked token`: the member's
 * token is revoked last, since every member step still needs it.
 */
export async function expectTokenRefusals(who: Callers, r: TokenRefusals): Promise<void> {
  const refused = r.refused ?? ((res: KsResponse) => expectError(res, 401));
  const probe = (caller: keyof NonNullable<TokenRefusals['probeAs']>) => r.probeAs?.[caller] ?? r.probe;
  await test.step('no token', async () => refused(await probe('anonymous')(who.anonymous)));
  await test.step('malformed token', async () => refused(await probe('malformed')(who.malformed)));
  for (const [title, body] of Object.entries(r.member)) await test.step(title, () => body(who.member));
  await test.step('revoked token', async () => refused(await probe('revoked')(await who.revokedMember())));
}
