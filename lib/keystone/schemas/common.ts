/**
 * Building blocks for the response schemas (JSON Schema draft-07, compiled by ./validate.ts).
 *
 * Precise where the api-ref is (required fields, types, nullability), permissive on extra
 * properties: Keystone adds attributes across releases (options, tags, federated, ...), and a
 * release gate must not fail on an addition.
 */

export type JsonSchema = { readonly [keyword: string]: unknown };

/** Custom format registered by ./validate.ts: ISO 8601 with optional fraction and zone. Keystone
 * writes both "2015-11-07T02:58:43.578887Z" and "2018-02-27T18:30:59.000000" (no zone). */
export const KS_DATETIME = 'keystone-datetime';

export const str: JsonSchema = { type: 'string' };
export const nonEmpty: JsonSchema = { type: 'string', minLength: 1 };
export const bool: JsonSchema = { type: 'boolean' };
export const int: JsonSchema = { type: 'integer' };
export const strOrNull: JsonSchema = { type: ['string', 'null'] };
export const datetime: JsonSchema = { type: 'string', format: KS_DATETIME };
export const datetimeOrNull: JsonSchema = { anyOf: [datetime, { type: 'null' }] };
export const strings: JsonSchema = { type: 'array', items: str };
export const anyObject: JsonSchema = { type: 'object' };

/** `links` of a member: `self` is always there; some members add more (idp `protocols`). */
export const selfLinks: JsonSchema = {
  type: 'object',
  required: ['self'],
  properties: { self: nonEmpty },
};

/** `links` of a collection: `self`, and `previous`/`next` which Keystone sends as null. */
export const collectionLinks: JsonSchema = {
  type: 'object',
  required: ['self'],
  properties: { self: nonEmpty, previous: strOrNull, next: strOrNull },
};

/** An object with the given properties, `required` of them mandatory, anything else allowed. */
export function entity(properties: Record<string, JsonSchema>, required: readonly string[], extra: Record<string, unknown> = {}): JsonSchema {
  return { type: 'object', required: [...required], properties, ...extra };
}

/** `{ <key>: entity }`, the shape of every show/create/update response. */
export function single(key: string, schema: JsonSchema): JsonSchema {
  return { type: 'object', required: [key], properties: { [key]: schema } };
}

/** `{ <key>: [entity], links: {self, previous, next} }`, the shape of every list response. */
export function list(key: string, schema: JsonSchema, links: 'required' | 'optional' = 'required'): JsonSchema {
  return {
    type: 'object',
    required: links === 'required' ? [key, 'links'] : [key],
    properties: { [key]: { type: 'array', items: schema }, links: collectionLinks },
  };
}

/** `{id, name}` reference, as embedded in tokens and assignments. */
export const idName: JsonSchema = entity({ id: nonEmpty, name: str }, ['id', 'name']);
