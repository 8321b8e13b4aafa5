import { bool, entity, list, nonEmpty, selfLinks, single, strOrNull, strings } from './common.js';

export const domainSchema = entity(
  {
    id: nonEmpty,
    name: nonEmpty,
    enabled: bool,
    description: strOrNull,
    tags: strings,
    options: { type: 'object' },
    links: selfLinks,
  },
  ['id', 'name', 'enabled', 'links'],
);

export const domainResponseSchema = single('domain', domainSchema);
export const domainsResponseSchema = list('domains', domainSchema);
