import type { RequestOptions } from '../http.js';
import { ServiceClient } from './service-client.js';

/** OS-SIMPLE-CERT: the PKI-token signing certificates. Keystone since Pike answers 410 Gone. */
export class SimpleCertClient extends ServiceClient {
  ca(opts: RequestOptions = {}) { return this.call('GET', '/v3/OS-SIMPLE-CERT/ca', opts); }
  certificates(opts: RequestOptions = {}) { return this.call('GET', '/v3/OS-SIMPLE-CERT/certificates', opts); }
}
