import { KeystoneHttp } from './http.js';
import { CatalogServicesClient } from './services/catalog-services.js';
import { DiscoveryClient } from './services/discovery.js';
import { DomainsClient } from './services/domains.js';
import { EndpointsClient } from './services/endpoints.js';
import { GroupsClient } from './services/groups.js';
import { ProjectsClient } from './services/projects.js';
import { RegionsClient } from './services/regions.js';
import { RoleAssignmentsClient } from './services/role-assignments.js';
import { RoleGrantsClient } from './services/role-grants.js';
import { RolesClient } from './services/roles.js';
import type { TokenSource } from './services/service-client.js';
import { TokensClient } from './services/tokens.js';
import { UsersClient } from './services/users.js';

/** Every service client of one Keystone endpoint, authenticated by one token source. */
export class Keystone {
  readonly discovery: DiscoveryClient;
  readonly tokens: TokensClient;
  readonly domains: DomainsClient;
  readonly projects: ProjectsClient;
  readonly users: UsersClient;
  readonly groups: GroupsClient;
  readonly roles: RolesClient;
  readonly grants: RoleGrantsClient;
  readonly roleAssignments: RoleAssignmentsClient;
  readonly regions: RegionsClient;
  readonly services: CatalogServicesClient;
  readonly endpoints: EndpointsClient;

  constructor(readonly http: KeystoneHttp, readonly tokenSource: TokenSource) {
    this.discovery = new DiscoveryClient(http, tokenSource);
    this.tokens = new TokensClient(http, tokenSource);
    this.domains = new DomainsClient(http, tokenSource);
    this.projects = new ProjectsClient(http, tokenSource);
    this.users = new UsersClient(http, tokenSource);
    this.groups = new GroupsClient(http, tokenSource);
    this.roles = new RolesClient(http, tokenSource);
    this.grants = new RoleGrantsClient(http, tokenSource);
    this.roleAssignments = new RoleAssignmentsClient(http, tokenSource);
    this.regions = new RegionsClient(http, tokenSource);
    this.services = new CatalogServicesClient(http, tokenSource);
    this.endpoints = new EndpointsClient(http, tokenSource);
  }

  /** The same endpoint with another identity (a persona, a freshly created user, no token at all). */
  as(tokenSource: TokenSource): Keystone {
    return new Keystone(this.http, tokenSource);
  }
}
