import { entity, list, nonEmpty, selfLinks, single, strOrNull } from './common.js';

export const groupSchema = entity(
  { id: nonEmpty, name: nonEmpty, domain_id: nonEmpty, description: strOrNull, links: selfLinks },
  ['id', 'name', 'domain_id', 'links'],
);

export const groupResponseSchema = single('group', groupSchema);
export const groupsResponseSchema = list('groups', groupSchema);
