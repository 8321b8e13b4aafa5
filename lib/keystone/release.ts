import { KeystoneHttp } from './http.js';

/**
 * What the Keystone under test says it is. `GET /v3` gives the API version only (`v3.14` since
 * Ussuri, Zed included: it names no release on its own); the keystone Python package's version
 * does (22.x is Zed), but is only readable where the suite can look inside the container.
 */
export interface KeystoneSeen {
  /** The keystone package version (e.g. `22.0.2`), when it could be read. */
  packageVersion?: string;
  /** `version.id` of `GET /v3` (e.g. `v3.14`), when it answered. */
  apiVersion?: string;
}

/** Keystone's major version per release name (the releases the gate may meet). */
export const KEYSTONE_MAJOR: Readonly<Record<string, number>> = {
  ussuri: 17, victoria: 18, wallaby: 19, xena: 20, yoga: 21, zed: 22, '2023.1': 23, '2023.2': 24, '2024.1': 25, '2024.2': 26, '2025.1': 27,
};

/** `version.id` of the identity API root (`GET /v3`), or undefined if it did not answer as documented. */
export async function apiVersionOf(http: KeystoneHttp): Promise<string | undefined> {
  const res = await http.request<{ version?: { id?: unknown } }>('GET', '/v3').catch(() => undefined);
  const id = res?.status === 200 ? res.body?.version?.id : undefined;
  return typeof id === 'string' ? id : undefined;
}
