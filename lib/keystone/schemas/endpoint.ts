import { bool, entity, list, nonEmpty, selfLinks, single, strOrNull } from './common.js';

export const endpointInterface = { type: 'string', enum: ['public', 'internal', 'admin'] } as const;

// `region` is the pre-v3.2 name of region_id, still echoed; both are null without a region.
export const endpointSchema = entity(
  {
    id: nonEmpty,
    interface: endpointInterface,
    service_id: nonEmpty,
    url: nonEmpty,
    enabled: bool,
    region_id: strOrNull,
    region: strOrNull,
    links: selfLinks,
  },
  ['id', 'interface', 'service_id', 'url', 'enabled', 'region_id', 'links'],
);

export const endpointResponseSchema = single('endpoint', endpointSchema);
export const endpointsResponseSchema = list('endpoints', endpointSchema);
