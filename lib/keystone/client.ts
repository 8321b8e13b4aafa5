import { KeystoneHttp } from './http.js';
import { AccessRulesClient } from './services/access-rules.js';
import { ApplicationCredentialsClient } from './services/application-credentials.js';
import { FederationClient } from './services/federation.js';
import { IdentityProvidersClient } from './services/identity-providers.js';
import { MappingsClient } from './services/mappings.js';
import { ConsumersClient, OAuth1Client } from './services/oauth1.js';
import { OAuth2Client } from './services/oauth2.js';
import { ServiceProvidersClient } from './services/service-providers.js';
import { TrustsClient } from './services/trusts.js';
import { CatalogServicesClient } from './services/catalog-services.js';
import { DiscoveryClient } from './services/discovery.js';
import { DomainsClient } from './services/domains.js';
import { CredentialsClient } from './services/credentials.js';
import { Ec2CredentialsClient } from './services/ec2-credentials.js';
import { EndpointFilterClient } from './services/endpoint-filter.js';
import { EndpointPolicyClient } from './services/endpoint-policy.js';
import { LimitsClient } from './services/limits.js';
import { PkiClient } from './services/pki.js';
import { PoliciesClient } from './services/policies.js';
import { RegisteredLimitsClient } from './services/registered-limits.js';
import { RevokeEventsClient } from './services/revoke-events.js';
import { SimpleCertClient } from './services/simple-cert.js';
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
import { DomainConfigsClient } from './services/domain-configs.js';
import { ImpliedRolesClient } from './services/implied-roles.js';
import { ProjectTagsClient } from './services/project-tags.js';

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
  readonly ec2Credentials: Ec2CredentialsClient;
  readonly credentials: CredentialsClient;
  readonly policies: PoliciesClient;
  readonly endpointPolicy: EndpointPolicyClient;
  readonly endpointFilter: EndpointFilterClient;
  readonly limits: LimitsClient;
  readonly registeredLimits: RegisteredLimitsClient;
  readonly revokeEvents: RevokeEventsClient;
  readonly simpleCert: SimpleCertClient;
  readonly pki: PkiClient;

  readonly applicationCredentials: ApplicationCredentialsClient;
  readonly accessRules: AccessRulesClient;
  readonly trusts: TrustsClient;
  readonly consumers: ConsumersClient;
  readonly oauth1: OAuth1Client;
  readonly oauth2: OAuth2Client;
  readonly identityProviders: IdentityProvidersClient;
  readonly mappings: MappingsClient;
  readonly serviceProviders: ServiceProvidersClient;
  readonly federation: FederationClient;
  readonly projectTags: ProjectTagsClient;
  readonly domainConfigs: DomainConfigsClient;
  readonly impliedRoles: ImpliedRolesClient;

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
    this.ec2Credentials = new Ec2CredentialsClient(http, tokenSource);
    this.credentials = new CredentialsClient(http, tokenSource);
    this.policies = new PoliciesClient(http, tokenSource);
    this.endpointPolicy = new EndpointPolicyClient(http, tokenSource);
    this.endpointFilter = new EndpointFilterClient(http, tokenSource);
    this.limits = new LimitsClient(http, tokenSource);
    this.registeredLimits = new RegisteredLimitsClient(http, tokenSource);
    this.revokeEvents = new RevokeEventsClient(http, tokenSource);
    this.simpleCert = new SimpleCertClient(http, tokenSource);
    this.pki = new PkiClient(http, tokenSource);
    this.applicationCredentials = new ApplicationCredentialsClient(http, tokenSource);
    this.accessRules = new AccessRulesClient(http, tokenSource);
    this.trusts = new TrustsClient(http, tokenSource);
    this.consumers = new ConsumersClient(http, tokenSource);
    this.oauth1 = new OAuth1Client(http, tokenSource);
    this.oauth2 = new OAuth2Client(http, tokenSource);
    this.identityProviders = new IdentityProvidersClient(http, tokenSource);
    this.mappings = new MappingsClient(http, tokenSource);
    this.serviceProviders = new ServiceProvidersClient(http, tokenSource);
    this.federation = new FederationClient(http, tokenSource);
    this.projectTags = new ProjectTagsClient(http, tokenSource);
    this.domainConfigs = new DomainConfigsClient(http, tokenSource);
    this.impliedRoles = new ImpliedRolesClient(http, tokenSource);
  }

  /** The same endpoint with another identity (a persona, a freshly created user, no token at all). */
  as(tokenSource: TokenSource): Keystone {
    return new Keystone(this.http, tokenSource);
  }
}
