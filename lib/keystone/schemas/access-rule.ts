import { entity, list, nonEmpty, selfLinks, single } from './common.js';

export const accessRuleSchema = entity(
  { id: nonEmpty, path: nonEmpty, method: nonEmpty, service: nonEmpty, links: selfLinks },
  ['id', 'path', 'method', 'service'],
);

export const accessRuleResponseSchema = single('access_rule', accessRuleSchema);
export const accessRulesResponseSchema = list('access_rules', accessRuleSchema);
