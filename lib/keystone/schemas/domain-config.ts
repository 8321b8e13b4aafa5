import { entity, single, type JsonSchema } from './common.js';

// Only the identity and ldap groups are accepted; an option value is whatever the option holds.
const optionValue: JsonSchema = { type: ['string', 'number', 'boolean', 'null', 'array'] };
const configGroup: JsonSchema = { type: 'object', additionalProperties: optionValue };

export const domainConfigSchema = entity(
  { identity: configGroup, ldap: configGroup },
  [],
  { minProperties: 1, propertyNames: { enum: ['identity', 'ldap'] } },
);

/**
 * Every domain config answer is wrapped in `config` (keystone/api/domains.py: member_key
 * 'config'), including per group and per option, although the api-ref group/option samples
 * show the bare object.
 */
export const domainConfigResponseSchema = single('config', domainConfigSchema);
export const domainConfigGroupResponseSchema = single('config', { type: 'object', minProperties: 1, additionalProperties: optionValue });
export const domainConfigOptionResponseSchema = single('config', { type: 'object', minProperties: 1, maxProperties: 1, additionalProperties: optionValue });
