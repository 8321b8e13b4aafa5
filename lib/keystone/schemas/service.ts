import { bool, entity, list, nonEmpty, selfLinks, single, str, strOrNull } from './common.js';

export const serviceSchema = entity(
  { id: nonEmpty, type: nonEmpty, name: str, enabled: bool, description: strOrNull, links: selfLinks },
  ['id', 'type', 'enabled', 'links'],
);

export const serviceResponseSchema = single('service', serviceSchema);
export const servicesResponseSchema = list('services', serviceSchema);
