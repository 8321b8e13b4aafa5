import { entity, list, nonEmpty, single, strOrNull } from './common.js';

export const protocolSchema = entity(
  {
    id: nonEmpty,
    mapping_id: nonEmpty,
    remote_id_attribute: strOrNull,
    links: entity({ self: nonEmpty, identity_provider: nonEmpty }, ['self']),
  },
  ['id', 'mapping_id', 'links'],
);

export const protocolResponseSchema = single('protocol', protocolSchema);
export const protocolsResponseSchema = list('protocols', protocolSchema);
