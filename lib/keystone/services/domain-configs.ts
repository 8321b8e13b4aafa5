import type { RequestOptions } from '../http.js';
import { ServiceClient, seg } from './service-client.js';

/** A domain-specific configuration: option values by group (Keystone accepts `identity` and `ldap`). */
export type DomainConfig = Record<string, Record<string, unknown>>;

/**
 * /v3/domains/{domain_id}/config[/{group}[/{option}]] and the defaults under
 * /v3/domains/config/... . Needs [identity] domain_specific_drivers_enabled and
 * domain_configurations_from_database. Every answer is wrapped in `config`.
 */
export class DomainConfigsClient extends ServiceClient {
  /** The path of a domain's config, of one group of it, or of one option. */
  path(domainId: string, group?: string, option?: string): string {
    let p = `/v3/domains/${seg(domainId)}/config`;
    if (group !== undefined) p += `/${seg(group)}`;
    if (group !== undefined && option !== undefined) p += `/${seg(option)}`;
    return p;
  }
  /** GET /v3/domains/config/default, /config/{group}/default or /config/{group}/{option}/default. */
  defaults(group?: string, option?: string, opts: RequestOptions = {}) {
    let p = '/v3/domains/config';
    if (group !== undefined) p += `/${seg(group)}`;
    if (group !== undefined && option !== undefined) p += `/${seg(option)}`;
    return this.call<{ config: DomainConfig | Record<string, unknown> }>('GET', `${p}/default`, opts);
  }
  /** PUT: creates (201) or replaces (200) the whole configuration of a domain. */
  create(domainId: string, config: DomainConfig, opts: RequestOptions = {}) {
    return this.call<{ config: DomainConfig }>('PUT', this.path(domainId), { ...opts, body: { config } });
  }
  get(domainId: string, group?: string, option?: string, opts: RequestOptions = {}) {
    return this.call<{ config: DomainConfig | Record<string, unknown> }>('GET', this.path(domainId, group, option), opts);
  }
  /** PATCH the whole config (`{group: {option: value}}`), one group (`{option: value}`) or one option (`{option: value}`). */
  update(domainId: string, config: Record<string, unknown>, group?: string, option?: string, opts: RequestOptions = {}) {
    return this.call<{ config: DomainConfig }>('PATCH', this.path(domainId, group, option), { ...opts, body: { config } });
  }
  delete(domainId: string, group?: string, option?: string, opts: RequestOptions = {}) {
    return this.call<null>('DELETE', this.path(domainId, group, option), opts);
  }
}
