import type { KeystoneHttp, RequestOptions } from '../http.js';
import { ServiceClient, seg, type TokenSource } from './service-client.js';

/**
 * The five routes OS-FEDERATION identity providers and service providers share: the caller names
 * the entity (register is a PUT to `<collection>/<id>`), then list, show, update (PATCH) and
 * delete it. Only the collection path and the body's member and collection keys differ (the
 * collection key is a type only: the client reads no list body).
 */
export abstract class FederationProviderClient<Entity, MemberKey extends string, CollectionKey extends string> extends ServiceClient {
  constructor(
    http: KeystoneHttp,
    tokenSource: TokenSource,
    protected readonly collectionPath: string,
    private readonly memberKey: MemberKey,
  ) {
    super(http, tokenSource);
  }

  protected memberPath(id: string): string { return `${this.collectionPath}/${seg(id)}`; }

  register(id: string, entity: Record<string, unknown>, opts: RequestOptions = {}) {
    return this.call<Record<MemberKey, Entity>>('PUT', this.memberPath(id), { ...opts, body: { [this.memberKey]: entity } });
  }
  list(query?: RequestOptions['query'], opts: RequestOptions = {}) {
    return this.call<Record<CollectionKey, Entity[]> & { links: Record<string, string | null> }>('GET', this.collectionPath, { ...opts, query });
  }
  show(id: string, opts: RequestOptions = {}) {
    return this.call<Record<MemberKey, Entity>>('GET', this.memberPath(id), opts);
  }
  update(id: string, patch: Record<string, unknown>, opts: RequestOptions = {}) {
    return this.call<Record<MemberKey, Entity>>('PATCH', this.memberPath(id), { ...opts, body: { [this.memberKey]: patch } });
  }
  delete(id: string, opts: RequestOptions = {}) {
    return this.call<null>('DELETE', this.memberPath(id), opts);
  }
}
