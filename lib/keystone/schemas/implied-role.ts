import { entity, list, nonEmpty, selfLinks, strOrNull, str } from './common.js';

export const roleRefSchema = entity(
  { id: nonEmpty, name: str, description: strOrNull, links: selfLinks },
  ['id', 'name', 'links'],
);

/** PUT/GET /v3/roles/{prior_role_id}/implies/{implies_role_id} */
export const roleInferenceResponseSchema = entity(
  { role_inference: entity({ prior_role: roleRefSchema, implies: roleRefSchema }, ['prior_role', 'implies']), links: selfLinks },
  ['role_inference', 'links'],
);

const ruleWithList = entity(
  { prior_role: roleRefSchema, implies: { type: 'array', items: roleRefSchema } },
  ['prior_role', 'implies'],
);

/** GET /v3/roles/{prior_role_id}/implies */
export const impliedRolesResponseSchema = entity({ role_inference: ruleWithList, links: selfLinks }, ['role_inference', 'links']);

/** GET /v3/role_inferences */
export const roleInferencesResponseSchema = list('role_inferences', ruleWithList);
