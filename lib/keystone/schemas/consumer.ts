import { entity, list, nonEmpty, selfLinks, single, strOrNull } from './common.js';

/** OS-OAUTH1 consumer. */
export const consumerSchema = entity({ id: nonEmpty, description: strOrNull, links: selfLinks }, ['id', 'links']);

// The secret comes back once, on create.
export const consumerCreatedSchema = { allOf: [consumerSchema, entity({ secret: nonEmpty }, ['secret'])] } as const;

export const consumerResponseSchema = single('consumer', consumerSchema);
export const consumerCreatedResponseSchema = single('consumer', consumerCreatedSchema);
export const consumersResponseSchema = list('consumers', consumerSchema);
