import type { KeystoneHttp, RequestOptions } from '../http.js';
import { CrudClient, seg, type TokenSource } from './service-client.js';

export interface EndpointGroup {
  id: string;
  name: string;
  description?: string | null;
  /** Any of service_id, region_id, interface. */
  filters: Record<string, string>;
  links: { self: string };
}

const EP = '/v3/OS-EP-FILTER';

/**
 * OS-EP-FILTER (keystone/api/os_ep_filter.py): endpoint groups (CRUD on the inherited methods),
 * project-endpoint associations and endpoint-group-project associations.
 */
export class EndpointFilterClient extends CrudClient<EndpointGroup> {
  constructor(http: KeystoneHttp, tokenSource: TokenSource) { super(http, tokenSource, `${EP}/endpoint_groups`, 'endpoint_group', 'endpoint_groups'); }

  addEndpointToProject(projectId: string, endpointId: string, opts: RequestOptions = {}) {
    return this.call<null>('PUT', `${EP}/projects/${seg(projectId)}/endpoints/${seg(endpointId)}`, opts);
  }
  checkEndpointInProject(projectId: string, endpointId: string, opts: RequestOptions = {}) {
    return this.call<null>('HEAD', `${EP}/projects/${seg(projectId)}/endpoints/${seg(endpointId)}`, opts);
  }
  removeEndpointFromProject(projectId: string, endpointId: string, opts: RequestOptions = {}) {
    return this.call<null>('DELETE', `${EP}/projects/${seg(projectId)}/endpoints/${seg(endpointId)}`, opts);
  }
  listProjectEndpoints(projectId: string, opts: RequestOptions = {}) {
    return this.call('GET', `${EP}/projects/${seg(projectId)}/endpoints`, opts);
  }
  listEndpointProjects(endpointId: string, opts: RequestOptions = {}) {
    return this.call('GET', `${EP}/endpoints/${seg(endpointId)}/projects`, opts);
  }

  addGroupToProject(groupId: string, projectId: string, opts: RequestOptions = {}) {
    return this.call<null>('PUT', `${EP}/endpoint_groups/${seg(groupId)}/projects/${seg(projectId)}`, opts);
  }
  showGroupInProject(groupId: string, projectId: string, opts: RequestOptions = {}) {
    return this.call('GET', `${EP}/endpoint_groups/${seg(groupId)}/projects/${seg(projectId)}`, opts);
  }
  checkGroupInProject(groupId: string, projectId: string, opts: RequestOptions = {}) {
    return this.call<null>('HEAD', `${EP}/endpoint_groups/${seg(groupId)}/projects/${seg(projectId)}`, opts);
  }
  removeGroupFromProject(groupId: string, projectId: string, opts: RequestOptions = {}) {
    return this.call<null>('DELETE', `${EP}/endpoint_groups/${seg(groupId)}/projects/${seg(projectId)}`, opts);
  }
  listGroupProjects(groupId: string, opts: RequestOptions = {}) {
    return this.call('GET', `${EP}/endpoint_groups/${seg(groupId)}/projects`, opts);
  }
  listGroupEndpoints(groupId: string, opts: RequestOptions = {}) {
    return this.call('GET', `${EP}/endpoint_groups/${seg(groupId)}/endpoints`, opts);
  }
  listProjectEndpointGroups(projectId: string, opts: RequestOptions = {}) {
    return this.call('GET', `${EP}/projects/${seg(projectId)}/endpoint_groups`, opts);
  }
}
