import type { KeystoneHttp } from '../http.js';
import type { Service } from '../types.js';
import { CrudClient, type TokenSource } from './service-client.js';

/** /v3/services: catalog service entries. */
export class CatalogServicesClient extends CrudClient<Service> {
  constructor(http: KeystoneHttp, tokenSource: TokenSource) { super(http, tokenSource, '/v3/services', 'service', 'services'); }
}
