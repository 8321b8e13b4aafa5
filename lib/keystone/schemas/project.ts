import { bool, entity, list, nonEmpty, selfLinks, single, strOrNull, strings } from './common.js';

// is_domain and tags are documented (and always sent since Queens) but the api-ref samples
// predate them, so they are typed, not required; parent_id is null only for domains-as-projects.
export const projectSchema = entity(
  {
    id: nonEmpty,
    name: nonEmpty,
    domain_id: nonEmpty,
    enabled: bool,
    parent_id: strOrNull,
    is_domain: bool,
    description: strOrNull,
    tags: strings,
    options: { type: 'object' },
    links: selfLinks,
  },
  ['id', 'name', 'domain_id', 'enabled', 'parent_id', 'links'],
);

export const projectResponseSchema = single('project', projectSchema);
export const projectsResponseSchema = list('projects', projectSchema);
