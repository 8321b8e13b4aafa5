import type { HttpMethod, KeystoneHttp, KsResponse, RequestOptions } from '../http.js';

/** Supplies the token a client authenticates with; `null` sends no token (negative tests). */
export type TokenSource = () => Promise<string | null>;

/** Base of every service client (Tempest's shape: one client per concern, no assertions inside). */
export abstract class ServiceClient {
  constructor(protected readonly http: KeystoneHttp, protected readonly tokenSource: TokenSource) {}

  protected async call<T = any>(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<KsResponse<T>> {
    const token = opts.token !== undefined ? opts.token : await this.tokenSource();
    return this.http.request<T>(method, path, { ...opts, token });
  }
}

/** Percent-encodes one path segment: ids with path characters must stay one segment. */
export const seg = (value: string): string => encodeURIComponent(value);

/** Standard Keystone collection: list, show, create, update, delete on /v3/<collection>. */
export class CrudClient<Entity = any> extends ServiceClient {
  constructor(
    http: KeystoneHttp,
    tokenSource: TokenSource,
    protected readonly collectionPath: string,
    protected readonly memberKey: string,
    protected readonly collectionKey: string,
    private readonly updateMethod: 'PATCH' | 'PUT' = 'PATCH',
  ) {
    super(http, tokenSource);
  }

  list(query?: RequestOptions['query'], opts: RequestOptions = {}) {
    return this.call<Record<string, Entity[]> & { links?: Record<string, string | null> }>('GET', this.collectionPath, { ...opts, query });
  }
  show(id: string, opts: RequestOptions = {}) {
    return this.call<Record<string, Entity>>('GET', `${this.collectionPath}/${seg(id)}`, opts);
  }
  head(id: string, opts: RequestOptions = {}) {
    return this.call<null>('HEAD', `${this.collectionPath}/${seg(id)}`, opts);
  }
  create(entity: Record<string, unknown>, opts: RequestOptions = {}) {
    return this.call<Record<string, Entity>>('POST', this.collectionPath, { ...opts, body: { [this.memberKey]: entity } });
  }
  update(id: string, patch: Record<string, unknown>, opts: RequestOptions = {}) {
    return this.call<Record<string, Entity>>(this.updateMethod, `${this.collectionPath}/${seg(id)}`, { ...opts, body: { [this.memberKey]: patch } });
  }
  delete(id: string, opts: RequestOptions = {}) {
    return this.call<null>('DELETE', `${this.collectionPath}/${seg(id)}`, opts);
  }
  /** The entity from a single-entity response. */
  entity(res: KsResponse<Record<string, Entity>>): Entity {
    return res.body[this.memberKey] as Entity;
  }
  /** The entities from a list response. */
  entities(res: KsResponse<Record<string, Entity[]> & { links?: unknown }>): Entity[] {
    return (res.body[this.collectionKey] as Entity[]) ?? [];
  }
}
