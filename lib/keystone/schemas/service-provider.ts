import { bool, entity, list, nonEmpty, selfLinks, single, str, strOrNull } from './common.js';

export const serviceProviderSchema = entity(
  {
    id: nonEmpty,
    auth_url: nonEmpty,
    sp_url: nonEmpty,
    enabled: bool,
    description: strOrNull,
    relay_state_prefix: str,
    links: selfLinks,
  },
  ['id', 'auth_url', 'sp_url', 'enabled', 'relay_state_prefix', 'links'],
);

export const serviceProviderResponseSchema = single('service_provider', serviceProviderSchema);
export const serviceProvidersResponseSchema = list('service_providers', serviceProviderSchema);
