import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { DISTINCT_ROWS, ONE_ROW_PATCH, joinStorms, judgeConflicts } from '../../fixtures/concurrency.js';
import type { KsResponse } from '../../lib/keystone/http.js';
import type { Credential } from '../../lib/keystone/types.js';
import { checkNoLostInsert, checkNoLostUpdate, checkSetSemantics } from '../../lib/workload/checkers/index.js';
import { probeConflicts } from '../../lib/workload/conflict-probe.js';
import type { Op } from '../../lib/workload/driver.js';
import { History } from '../../lib/workload/history.js';
import { call, conflictWrites, mustAck, range, recordRead, shuffled } from '../../lib/workload/keystone-ops.js';
import { testId } from '../../lib/coverage/test-ids.js';

const CREATE = 'POST /v3/credentials';
const PATCH = 'PATCH /v3/credentials/{credential_id}';
const DELETE = 'DELETE /v3/credentials/{credential_id}';
const LIST = 'GET /v3/credentials';

/** Credentials have no name: each blob carries a label the suite chose (not a secret). */
const blobOf = (label: string) => JSON.stringify({ label });
const labelOf = (c: Credential) => {
  try { return String((JSON.parse(c.blob) as { label?: unknown }).label); } catch { return `unlabelled ${c.id}`; }
};

test.describe('credentials under concurrency', { tag: '@credentials' }, () => {
  test('concurrent creates for one user, then concurrent creates, updates and deletes: none lost, none resurrected, no leaked conflict', testId('1d3af1f1-f012-46b1-8694-72b5bc744108', '@slice'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('credentials'); await allure.story(CREATE);
    const n = conflictWrites();
    // Deleting the user (factory cleanup) deletes its credentials, whatever the storm left.
    const user = await factory.user();
    const create = (f: 'create' | 'add', label: string) => mustAck(call(CREATE, f, f === 'create' ? { name: label } : { element: label },
      () => admin.credentials.create({ user_id: user.id, type: 'gate', blob: blobOf(label) })));
    const list = () => admin.credentials.list({ user_id: user.id });

    const history = new History();
    const since = new Date(Date.now() - 2_000);
    const first = await probeConflicts(cluster, history, range(n).map((i) => create('create', `${factory.name('cred')}-${i}`)));
    let listed: Credential[] = [];
    await recordRead(history, LIST, list, (r) => (listed = admin.credentials.entities(r)).map((c) => ({ name: labelOf(c) })));
    // Judged now: the read after the second storm becomes the final read of the history.
    const insert = checkNoLostInsert(history);

    // Half of the listed credentials are deleted, the other half updated (type only: the label
    // stays, so membership is what the set checker judges), while new ones are created.
    const ops: Op<KsResponse>[] = shuffled([
      ...listed.map((c, i) => i % 2
        ? mustAck(call(DELETE, 'remove', { element: labelOf(c) }, () => admin.credentials.delete(c.id)))
        : mustAck(call(PATCH, 'update', { type: `gate-${i}` }, () => admin.credentials.update(c.id, { type: `gate-${i}` })))),
      ...range(Math.ceil(n / 2)).map((i) => create('add', `${factory.name('cred2')}-${i}`)),
    ]);
    const second = await probeConflicts(cluster, history, ops);
    await recordRead(history, LIST, list, (r) => admin.credentials.entities(r).map(labelOf));
    const probe = await joinStorms(cluster, history, since, [first, second]);

    expect(probe.stats.invoked).toBe(n + ops.length);
    await judgeConflicts(testInfo, 'credential create/update/delete', history, probe, [insert, checkSetSemantics(history, { initial: listed.map(labelOf) })], { provocation: DISTINCT_ROWS });
  });

  test('concurrent PATCH of the type and of the blob of one credential: no lost update', testId('ff4bbfe1-1702-4306-a0b0-b0838bdea49b'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('credentials'); await allure.story(PATCH);
    const user = await factory.user();
    const credential = await factory.credential({ user_id: user.id, type: 'gate', blob: blobOf('initial') });
    const history = new History();
    // update_credential reads the row and writes every attribute back: type and blob race.
    const ops = range(conflictWrites()).map((i) => mustAck(i % 2
      ? call(PATCH, 'update', { type: `gate-${i}` }, () => admin.credentials.update(credential.id, { type: `gate-${i}` }))
      : call(PATCH, 'update', { label: `b${i}` }, () => admin.credentials.update(credential.id, { blob: blobOf(`b${i}`) }))));
    const probe = await probeConflicts(cluster, history, ops);
    await recordRead(history, 'GET /v3/credentials/{credential_id}', () => admin.credentials.show(credential.id), (r) => {
      const c = r.body.credential as Credential;
      return { type: c.type, label: labelOf(c) };
    });
    await judgeConflicts(testInfo, 'credential PATCH', history, probe, [checkNoLostUpdate(history, { initial: { type: 'gate', label: 'initial' } })], { provocation: ONE_ROW_PATCH });
  });
});
