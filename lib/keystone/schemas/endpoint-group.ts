import { anyObject, entity, list, nonEmpty, selfLinks, single, strOrNull } from './common.js';

export const endpointGroupSchema = entity(
  { id: nonEmpty, name: nonEmpty, description: strOrNull, filters: anyObject, links: selfLinks },
  ['id', 'name', 'filters', 'links'],
);

export const endpointGroupResponseSchema = single('endpoint_group', endpointGroupSchema);
export const endpointGroupsResponseSchema = list('endpoint_groups', endpointGroupSchema);
