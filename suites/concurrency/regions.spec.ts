import { test } from '../../fixtures/test.js';
import { plainPatchStorm } from '../../fixtures/storms.js';

test.describe('catalog regions under concurrency', { tag: '@regions' }, () => {
  test(...plainPatchStorm({
    id: 'f1b3f976-e9ad-4453-b9d5-e83bf421477e', slice: true, noun: 'region', feature: 'regions', path: '/v3/regions/{region_id}',
    create: (factory) => factory.region({ description: 'initial' }), collection: (admin) => admin.regions,
    why: 'Extra attributes live in one JSON column that update_region rewrites from what it read.',
  }));
});
