import { setTimeout as sleep } from 'node:timers/promises';
import { passwordAuthBody, type PasswordCredentials } from '../keystone/credentials.js';
import { KeystoneHttp } from '../keystone/http.js';

/**
 * Waits until GET /v3 answers 200 and an admin token can be issued. Gives up at the deadline
 * with one line saying which of the two never happened, and the last thing seen.
 */
export async function waitForKeystone(baseUrl: string, admin: PasswordCredentials, timeoutMs: number): Promise<void> {
  const http = new KeystoneHttp(baseUrl, 5_000);
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt yet';
  let discovered = false;
  while (Date.now() < deadline) {
    try {
      if (!discovered) {
        const r = await http.request('GET', '/v3', { timeoutMs: Math.min(5_000, deadline - Date.now()) });
        if (r.status === 200) discovered = true;
        else last = `GET /v3 answered ${r.status}`;
      }
      if (discovered) {
        const r = await http.request('POST', '/v3/auth/tokens', { body: passwordAuthBody(admin), timeoutMs: Math.max(1_000, Math.min(15_000, deadline - Date.now())) });
        if (r.status === 201) return;
        last = `admin token request answered ${r.status}`;
        // 401 means wrong credentials: waiting will not fix it.
        if (r.status === 401) break;
      }
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(500);
  }
  throw new Error(`Keystone at ${baseUrl} not ready within ${Math.round(timeoutMs / 1000)} s: ${discovered ? 'GET /v3 answered 200 but no admin token could be issued' : 'GET /v3 never answered 200'} (last: ${last})`);
}
