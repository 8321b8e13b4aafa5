import type { KeystoneHttp } from '../http.js';
import type { Domain } from '../types.js';
import { CrudClient, type TokenSource } from './service-client.js';

/** /v3/domains. A domain must be disabled before it can be deleted. */
export class DomainsClient extends CrudClient<Domain> {
  constructor(http: KeystoneHttp, tokenSource: TokenSource) { super(http, tokenSource, '/v3/domains', 'domain', 'domains'); }
}
