import { bool, entity, list, nonEmpty, single, strOrNull, strings } from './common.js';

export const identityProviderSchema = entity(
  {
    id: nonEmpty,
    domain_id: nonEmpty,
    description: strOrNull,
    enabled: bool,
    remote_ids: strings,
    authorization_ttl: { type: ['integer', 'null'] },
    links: entity({ self: nonEmpty, protocols: nonEmpty }, ['self']),
  },
  ['id', 'domain_id', 'enabled', 'remote_ids', 'links'],
);

export const identityProviderResponseSchema = single('identity_provider', identityProviderSchema);
export const identityProvidersResponseSchema = list('identity_providers', identityProviderSchema);
