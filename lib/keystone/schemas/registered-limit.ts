import { entity, int, list, nonEmpty, selfLinks, single, strOrNull } from './common.js';

export const registeredLimitSchema = entity(
  {
    id: nonEmpty,
    service_id: nonEmpty,
    resource_name: nonEmpty,
    default_limit: int,
    region_id: strOrNull,
    description: strOrNull,
    links: selfLinks,
  },
  ['id', 'service_id', 'resource_name', 'default_limit', 'links'],
);

export const registeredLimitResponseSchema = single('registered_limit', registeredLimitSchema);
export const registeredLimitsResponseSchema = list('registered_limits', registeredLimitSchema);
/** POST /v3/registered_limits answers with the created batch and no collection links. */
export const registeredLimitsCreatedResponseSchema = list('registered_limits', registeredLimitSchema, 'optional');
