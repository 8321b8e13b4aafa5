import type { KeystoneHttp } from '../http.js';
import type { Project } from '../types.js';
import { CrudClient, type TokenSource } from './service-client.js';

/** /v3/projects (including projects acting as domains). Tags live in project-tags.ts. */
export class ProjectsClient extends CrudClient<Project> {
  constructor(http: KeystoneHttp, tokenSource: TokenSource) { super(http, tokenSource, '/v3/projects', 'project', 'projects'); }
}
