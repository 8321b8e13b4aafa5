import { test } from '../../fixtures/test.js';
import { plainPatchStorm } from '../../fixtures/storms.js';

test.describe('catalog services under concurrency', { tag: '@services' }, () => {
  test(...plainPatchStorm({
    id: 'da6edaa1-1952-46a4-929b-d8a84a976dc0', slice: true, noun: 'service', feature: 'services', path: '/v3/services/{service_id}',
    create: (factory) => factory.service({ description: 'initial' }), collection: (admin) => admin.services,
    why: 'name and description are themselves kept in the service\'s `extra` blob, rewritten whole by update_service.',
  }));
});
