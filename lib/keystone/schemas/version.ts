import { entity, nonEmpty, single } from './common.js';

const link = entity({ href: nonEmpty, rel: nonEmpty, type: { type: 'string' } }, ['href', 'rel']);
const mediaType = entity({ base: nonEmpty, type: nonEmpty }, ['base', 'type']);

/** One version document, as in GET /v3 and the values of GET /. */
export const versionSchema = entity(
  {
    id: { type: 'string', pattern: '^v\\d+(\\.\\d+)?$' },
    status: { type: 'string', enum: ['stable', 'deprecated', 'experimental', 'CURRENT', 'SUPPORTED', 'DEPRECATED'] },
    updated: nonEmpty,
    links: { type: 'array', items: link, minItems: 1 },
    'media-types': { type: 'array', items: mediaType },
  },
  ['id', 'status', 'links'],
);

export const versionResponseSchema = single('version', versionSchema);
export const versionsResponseSchema = single('versions', entity({ values: { type: 'array', items: versionSchema, minItems: 1 } }, ['values']));
