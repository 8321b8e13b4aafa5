import { ServiceClient } from './service-client.js';

/** Version discovery: GET / (multiple choices) and GET /v3. Unauthenticated. */
export class DiscoveryClient extends ServiceClient {
  versions() { return this.call('GET', '/', { token: null }); }
  v3() { return this.call('GET', '/v3', { token: null }); }
}
