import { randomBytes } from 'node:crypto';

/** A fernet key: 32 random bytes, url-safe base64 (what keystone-manage fernet_setup writes). */
export function fernetKey(): string {
  return randomBytes(32).toString('base64url') + '=';
}

/** Key repositories shared by every Keystone node of a cluster (index 0 is staged, the highest primary). */
export function keyRepository(count = 3): string[] {
  return Array.from({ length: count }, fernetKey);
}

/** A password strong enough for Keystone and free of shell/URL metacharacters. */
export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}
