import type { KeystoneHttp } from '../http.js';
import type { Endpoint } from '../types.js';
import { CrudClient, type TokenSource } from './service-client.js';

/** /v3/endpoints: catalog endpoints. */
export class EndpointsClient extends CrudClient<Endpoint> {
  constructor(http: KeystoneHttp, tokenSource: TokenSource) { super(http, tokenSource, '/v3/endpoints', 'endpoint', 'endpoints'); }
}
