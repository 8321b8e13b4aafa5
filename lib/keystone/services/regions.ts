import type { KeystoneHttp } from '../http.js';
import type { Region } from '../types.js';
import { CrudClient, seg, type TokenSource } from './service-client.js';

/** /v3/regions. Unlike other resources a region id may be chosen by the caller (PUT). */
export class RegionsClient extends CrudClient<Region> {
  constructor(http: KeystoneHttp, tokenSource: TokenSource) { super(http, tokenSource, '/v3/regions', 'region', 'regions'); }
  createWithId(id: string, region: Record<string, unknown>) {
    return this.call('PUT', `/v3/regions/${seg(id)}`, { body: { region } });
  }
}
