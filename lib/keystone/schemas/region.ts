import { entity, list, nonEmpty, selfLinks, single, strOrNull } from './common.js';

export const regionSchema = entity(
  { id: nonEmpty, description: strOrNull, parent_region_id: strOrNull, links: selfLinks },
  ['id', 'parent_region_id', 'links'],
);

export const regionResponseSchema = single('region', regionSchema);
export const regionsResponseSchema = list('regions', regionSchema);
