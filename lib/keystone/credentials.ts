import { createHmac, randomBytes } from 'node:crypto';
import { registerSecret } from './mask.js';

/** Who authenticates, and at what scope (the fields an OpenStack clouds.yaml "auth" section carries). */
export interface PasswordCredentials {
  username: string;
  password: string;
  userDomainName?: string;
  userDomainId?: string;
  userId?: string;
  projectName?: string;
  projectId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  domainName?: string;
  domainId?: string;
  system?: boolean;
}

/** The same user on a system-scoped token (the project/domain scope fields dropped). */
export function systemScoped(c: PasswordCredentials): PasswordCredentials {
  const { projectName: _p, projectId: _i, projectDomainName: _d, projectDomainId: _di, domainName: _dn, domainId: _did, ...who } = c;
  return { ...who, system: true };
}

/** The auth.identity + scope body of POST /v3/auth/tokens for a password credential. */
export function passwordAuthBody(c: PasswordCredentials, unscoped = false): Record<string, unknown> {
  const user: Record<string, unknown> = { password: c.password };
  if (c.userId) user.id = c.userId;
  else {
    user.name = c.username;
    user.domain = c.userDomainId ? { id: c.userDomainId } : { name: c.userDomainName ?? 'Default' };
  }
  const auth: Record<string, unknown> = { identity: { methods: ['password'], password: { user } } };
  if (!unscoped) {
    if (c.system) auth.scope = { system: { all: true } };
    else if (c.projectId) auth.scope = { project: { id: c.projectId } };
    else if (c.projectName) {
      auth.scope = { project: { name: c.projectName, domain: c.projectDomainId ? { id: c.projectDomainId } : { name: c.projectDomainName ?? 'Default' } } };
    } else if (c.domainId) auth.scope = { domain: { id: c.domainId } };
    else if (c.domainName) auth.scope = { domain: { name: c.domainName } };
  }
  return { auth };
}

/** The `auth.scope` of POST /v3/auth/tokens; the string 'unscoped' asks explicitly for no scope. */
export type AuthScope =
  | { project: { id: string } | { name: string; domain: { id: string } | { name: string } } }
  | { domain: { id: string } | { name: string } }
  | { system: { all: true } }
  | { 'OS-TRUST:trust': { id: string } }
  | 'unscoped';

/** `auth.identity` and optional scope as one request body. */
export function authBody(identity: Record<string, unknown>, scope?: AuthScope): Record<string, unknown> {
  return { auth: { identity, ...(scope !== undefined ? { scope } : {}) } };
}

/** The `identity` of the password method (by id, or by name + domain). */
export function passwordIdentity(c: Pick<PasswordCredentials, 'password'> & Partial<Pick<PasswordCredentials, 'userId' | 'username' | 'userDomainId' | 'userDomainName'>>): Record<string, unknown> {
  const user: Record<string, unknown> = { password: c.password };
  if (c.userId) user.id = c.userId;
  else {
    user.name = c.username;
    user.domain = c.userDomainId ? { id: c.userDomainId } : { name: c.userDomainName ?? 'Default' };
  }
  return { methods: ['password'], password: { user } };
}

/** The token method: an existing token exchanged for a new one (rescoping, trusts). */
export function tokenAuthBody(tokenId: string, scope?: AuthScope): Record<string, unknown> {
  return authBody({ methods: ['token'], token: { id: tokenId } }, scope);
}

/** Who an application credential belongs to, when it is named rather than given by id. */
export type AppCredUser = { id: string } | { name: string; domain: { id: string } | { name: string } };

/** The application_credential method, by credential id, or by name plus its owner. Never scoped: the credential carries its project. */
export function applicationCredentialAuthBody(c: { id: string; secret: string } | { name: string; secret: string; user: AppCredUser }): Record<string, unknown> {
  return authBody({ methods: ['application_credential'], application_credential: c });
}

/** The totp method (a passcode computed from the user's registered TOTP credential). */
export function totpAuthBody(user: AppCredUser, passcode: string, scope?: AuthScope): Record<string, unknown> {
  return authBody({ methods: ['totp'], totp: { user: { ...user, passcode } } }, scope);
}

/** The oauth1 method: the body is empty, the signed Authorization header carries the access token. */
export function oauth1AuthBody(): Record<string, unknown> {
  return authBody({ methods: ['oauth1'], oauth1: {} });
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A random TOTP secret in base32 (what Keystone's totp credential blob holds), masked and canaried from here on. */
export function randomTotpSecret(bytes = 20): string {
  const raw = randomBytes(bytes);
  let bits = 0, value = 0, out = '';
  for (const b of raw) {
    value = (value << 8) | b; bits += 8;
    while (bits >= 5) { out += BASE32[(value >>> (bits - 5)) & 31]; bits -= 5; }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  registerSecret(out);
  return out;
}

function base32Decode(secret: string): Buffer {
  const clean = secret.replace(/=+$/, '').toUpperCase();
  let bits = 0, value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const idx = BASE32.indexOf(ch);
    if (idx < 0) throw new Error(`invalid base32 character ${JSON.stringify(ch)}`);
    value = (value << 5) | idx; bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP (HMAC-SHA1, 30 s step, 6 digits): what keystone/auth/plugins/totp.py accepts. */
export function totpPasscode(base32Secret: string, atMs = Date.now(), stepSeconds = 30, digits = 6): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / stepSeconds)));
  const mac = createHmac('sha1', base32Decode(base32Secret)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(code).padStart(digits, '0');
}
