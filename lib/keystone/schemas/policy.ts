import { entity, list, nonEmpty, selfLinks, single, strOrNull } from './common.js';

// The api-ref documents blob as a string on create and shows an object on read: Keystone stores
// and returns whatever it was given.
export const policySchema = entity(
  {
    id: nonEmpty,
    type: nonEmpty,
    blob: { type: ['string', 'object'] },
    user_id: strOrNull,
    project_id: strOrNull,
    links: selfLinks,
  },
  ['id', 'type', 'blob', 'links'],
);

export const policyResponseSchema = single('policy', policySchema);
export const policiesResponseSchema = list('policies', policySchema);
