import { entity, list, nonEmpty, selfLinks, single, str } from './common.js';

const rule = entity(
  {
    local: { type: 'array', items: { type: 'object' }, minItems: 1 },
    remote: { type: 'array', items: entity({ type: nonEmpty }, ['type']), minItems: 1 },
  },
  ['local', 'remote'],
);

export const mappingSchema = entity(
  { id: nonEmpty, rules: { type: 'array', items: rule }, schema_version: str, links: selfLinks },
  ['id', 'rules', 'links'],
);

export const mappingResponseSchema = single('mapping', mappingSchema);
export const mappingsResponseSchema = list('mappings', mappingSchema);
