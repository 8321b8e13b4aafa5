import type { RequestOptions } from '../http.js';
import { ServiceClient } from './service-client.js';

/** OS-PKI: the revoked PKI token list. PKI tokens are gone; Keystone answers 403 or 410. */
export class PkiClient extends ServiceClient {
  revoked(opts: RequestOptions = {}) { return this.call('GET', '/v3/auth/tokens/OS-PKI/revoked', opts); }
}
