import { datetime, entity, list, strOrNull } from './common.js';

/** GET /v3/OS-REVOKE/events: criteria objects without an id. */
export const revokeEventSchema = entity(
  {
    issued_before: datetime,
    user_id: strOrNull,
    project_id: strOrNull,
    domain_id: strOrNull,
    role_id: strOrNull,
    audit_id: strOrNull,
    audit_chain_id: strOrNull,
    'OS-TRUST:trust_id': strOrNull,
    'OS-OAUTH1:consumer_id': strOrNull,
    expires_at: { anyOf: [datetime, { type: 'null' }] },
  },
  ['issued_before'],
);

export const revokeEventsResponseSchema = list('events', revokeEventSchema);
