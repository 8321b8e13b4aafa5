import { entity, int, list, nonEmpty, selfLinks, single, str, strOrNull } from './common.js';

// A limit belongs to a project or (since Rocky) a domain; the other id is null.
export const limitSchema = entity(
  {
    id: nonEmpty,
    service_id: nonEmpty,
    resource_name: nonEmpty,
    resource_limit: int,
    project_id: strOrNull,
    domain_id: strOrNull,
    region_id: strOrNull,
    description: strOrNull,
    links: selfLinks,
  },
  ['id', 'service_id', 'resource_name', 'resource_limit', 'links'],
);

export const limitResponseSchema = single('limit', limitSchema);
export const limitsResponseSchema = list('limits', limitSchema);
/** POST /v3/limits answers with the created batch and no collection links. */
export const limitsCreatedResponseSchema = list('limits', limitSchema, 'optional');

/** GET /v3/limits/model */
export const limitModelResponseSchema = single(
  'model',
  entity({ name: { type: 'string', enum: ['flat', 'strict_two_level'] }, description: str }, ['name', 'description']),
);
