import type { RequestOptions } from '../http.js';
import { ServiceClient, seg } from './service-client.js';

/** The body of GET/PUT /v3/projects/{id}/tags: the tag list and a self link. */
export interface ProjectTagsBody { tags: string[]; links: { self: string } }

/** /v3/projects/{project_id}/tags: list, replace and clear the tag list; check, add and remove one tag. */
export class ProjectTagsClient extends ServiceClient {
  list(projectId: string, opts: RequestOptions = {}) {
    return this.call<ProjectTagsBody>('GET', `/v3/projects/${seg(projectId)}/tags`, opts);
  }
  /** PUT with a body: replaces every tag of the project. */
  replace(projectId: string, tags: string[], opts: RequestOptions = {}) {
    return this.call<ProjectTagsBody>('PUT', `/v3/projects/${seg(projectId)}/tags`, { ...opts, body: { tags } });
  }
  clear(projectId: string, opts: RequestOptions = {}) {
    return this.call<null>('DELETE', `/v3/projects/${seg(projectId)}/tags`, opts);
  }
  /** GET on one tag: 204 when the project has it, 404 when not (Keystone answers no body either way). */
  check(projectId: string, tag: string, opts: RequestOptions = {}) {
    return this.call<null>('GET', `/v3/projects/${seg(projectId)}/tags/${seg(tag)}`, opts);
  }
  add(projectId: string, tag: string, opts: RequestOptions = {}) {
    return this.call<null>('PUT', `/v3/projects/${seg(projectId)}/tags/${seg(tag)}`, opts);
  }
  remove(projectId: string, tag: string, opts: RequestOptions = {}) {
    return this.call<null>('DELETE', `/v3/projects/${seg(projectId)}/tags/${seg(tag)}`, opts);
  }
}
