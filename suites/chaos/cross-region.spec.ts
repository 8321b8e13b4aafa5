// Cross-region behaviour of the Galera topology without faults: tokens and revocations cross
// regions, and read-your-writes across regions is measured (staleness and stale reads), since
// Galera applies a commit on the other nodes just after it returns (wsrep_sync_wait=0).
import { performance } from 'node:perf_hooks';
import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/chaos.js';
import { passwordAuthBody } from '../../lib/keystone/credentials.js';
import type { KsResponse } from '../../lib/keystone/http.js';
import { subjectToken } from '../../lib/keystone/services/tokens.js';
import { checkRevocation } from '../../lib/workload/checkers/index.js';
import { classifyDefault } from '../../lib/workload/driver.js';
import { History } from '../../lib/workload/history.js';
import { htmlPage } from '../../reports/charts/index.js';
import { testId } from '../../lib/coverage/test-ids.js';

/** Runs one request and records it in the history (one process: these steps are sequential). */
async function recorded(history: History, op: string, f: string, value: Record<string, unknown>, run: () => Promise<KsResponse>): Promise<KsResponse> {
  const handle = history.invoke(0, op, { f, value });
  try {
    const res = await run();
    const { type, ...c } = classifyDefault({ result: res });
    handle.complete(type, c);
    return res;
  } catch (error) {
    const { type, ...c } = classifyDefault({ error });
    handle.complete(type, c);
    throw error;
  }
}

/** Time for a write to show up in another region before it counts as lost rather than stale. */
const VISIBILITY_BOUND_MS = 10_000;

interface StalenessRow { writer: string; reader: string; write: string; staleReads: number; reads: number; visibleAfterMs: number | null }

test.describe('cross-region behaviour without faults', { tag: ['@chaos', '@cross-region', '@auth-tokens', '@os-revoke', '@projects'] }, () => {
  test('a token issued in any region validates in the others, and a revocation in one region holds in all', testId('ecc99332-3b90-48f4-a7e5-2e3dde261d8a', '@slice'), async ({ galera, chaosFactory }) => {
    await allure.feature('tokens'); await allure.story('GET /v3/auth/tokens');
    const { regions } = galera;
    const names = galera.info.regions.map((r) => r.region);
    test.skip(regions.length < 2, 'needs at least 2 regions');
    const project = await chaosFactory.project();
    const role = await chaosFactory.role();
    const { user, password } = await chaosFactory.userWithRole(project.id, role.id);
    const body = passwordAuthBody({ username: user.name, userId: user.id, password, projectId: project.id });
    const history = new History();
    // Histories name tokens by label; the secrets stay here.
    const secrets = new Map<string, string>();

    await test.step('one token issued in each region', async () => {
      for (const [i, ks] of regions.entries()) {
        const label = `issued-in-${names[i]}`;
        const res = await recorded(history, 'POST /v3/auth/tokens', 'issue', { token: label, region: names[i] }, () => ks.tokens.issue(body, { nocatalog: true }));
        expect(res.status, `token issue in ${names[i]}`).toBe(201);
        secrets.set(label, subjectToken(res));
      }
    });

    await test.step('each token validates in every other region', async () => {
      for (const [label, secret] of secrets) {
        for (const [j, ks] of regions.entries()) {
          if (label === `issued-in-${names[j]}`) continue;
          const res = await recorded(history, 'GET /v3/auth/tokens', 'validate', { token: label, region: names[j] }, () => ks.tokens.validate(secret, { nocatalog: true }));
          expect(res.status, `${label} validated in ${names[j]}`).toBe(200);
          expect((res.body as { token: { user: { id: string } } }).token.user.id).toBe(user.id);
        }
      }
    });

    await test.step('each region revokes its own token; the revoked tokens no longer validate anywhere else', async () => {
      for (const [i, ks] of regions.entries()) {
        const label = `issued-in-${names[i]}`;
        const res = await recorded(history, 'DELETE /v3/auth/tokens', 'revoke', { token: label, region: names[i] }, () => ks.tokens.revoke(secrets.get(label)!));
        expect(res.status, `revocation of ${label} in ${names[i]}`).toBe(204);
      }
      for (const [label, secret] of secrets) {
        for (const [j, ks] of regions.entries()) {
          if (label === `issued-in-${names[j]}`) continue;
          const res = await recorded(history, 'GET /v3/auth/tokens', 'validate', { token: label, region: names[j] }, () => ks.tokens.validate(secret, { nocatalog: true }));
          expect(res.status, `${label}, revoked in its own region, validated in ${names[j]}`).toBe(404);
        }
      }
      const revocation = checkRevocation(history);
      expect(revocation.details, 'revocation invariant across regions').toEqual([]);
      expect(revocation.counts?.validatesAfterAck).toBe(regions.length * (regions.length - 1));
    });
    await test.info().attach('history.json', { body: JSON.stringify(history.toJSON(), null, 1), contentType: 'application/json' });
  });

  test('read-your-writes across regions: every write shows up in every other region, staleness measured and reported', testId('57a919d7-f9df-4594-8be9-315617c7b4e0'), async ({ galera, chaosFactory }, testInfo) => {
    await allure.feature('projects'); await allure.story('GET /v3/projects/{project_id}');
    const { regions } = galera;
    const names = galera.info.regions.map((r) => r.region);
    test.skip(regions.length < 2, 'needs at least 2 regions');
    const domain = await chaosFactory.domain();
    const rows: StalenessRow[] = [];

    /** Reads in `reader` right after the acknowledgement until `visible` says the write shows. */
    const probe = async (reader: number, ackedAt: number, read: () => Promise<KsResponse>, visible: (r: KsResponse) => boolean) => {
      let staleReads = 0;
      let reads = 0;
      while (performance.now() - ackedAt < VISIBILITY_BOUND_MS) {
        const startedAt = performance.now();
        const res = await read();
        reads++;
        if (visible(res)) return { staleReads, reads, visibleAfterMs: startedAt - ackedAt };
        // Anything but the stale answers (404 before the create, the old value before the update) is a failure, not staleness.
        expect([200, 404], `read in ${names[reader]} answered ${res.status}`).toContain(res.status);
        staleReads++;
      }
      return { staleReads, reads, visibleAfterMs: null };
    };

    for (const [w, writer] of regions.entries()) {
      for (const [r, reader] of regions.entries()) {
        if (w === r) continue;
        await test.step(`${names[w]} writes, ${names[r]} reads`, async () => {
          const created = await writer.projects.create({ name: chaosFactory.name('ryw'), domain_id: domain.id, description: 'before' });
          const createdAt = performance.now();
          expect(created.status, `create in ${names[w]}`).toBe(201);
          const id = writer.projects.entity(created).id;
          chaosFactory.defer(`project ${id}`, () => regions[0]!.projects.delete(id));
          const afterCreate = await probe(r, createdAt, () => reader.projects.show(id), (res) => res.status === 200);
          rows.push({ writer: names[w]!, reader: names[r]!, write: 'create project', ...afterCreate });

          const updated = await writer.projects.update(id, { description: 'after' });
          const updatedAt = performance.now();
          expect(updated.status, `update in ${names[w]}`).toBe(200);
          const afterUpdate = await probe(r, updatedAt, () => reader.projects.show(id), (res) => res.status === 200 && (res.body as { project: { description?: string } }).project.description === 'after');
          rows.push({ writer: names[w]!, reader: names[r]!, write: 'update project', ...afterUpdate });
        });
      }
    }

    const stale = rows.reduce((a, x) => a + x.staleReads, 0);
    const reads = rows.reduce((a, x) => a + x.reads, 0);
    const staleness = rows.filter((x) => x.staleReads > 0 && x.visibleAfterMs !== null).map((x) => x.visibleAfterMs!);
    const summary = stale === 0
      ? `read-your-writes held across regions: 0 stale reads in ${reads} reads right after ${rows.length} writes`
      : `read-your-writes NOT given across regions: ${stale} stale reads in ${reads}; a stale write became visible within ${Math.max(...staleness).toFixed(0)} ms at worst (median ${median(staleness).toFixed(0)} ms)`;
    testInfo.annotations.push({ type: 'cross-region staleness', description: summary });
    await testInfo.attach('cross-region staleness', {
      contentType: 'text/html',
      body: htmlPage('Read-your-writes across regions', [{
        title: 'Staleness per writer/reader pair',
        note: `${summary}.\nA read counts as stale when it still shows the state before an acknowledged write; "visible after" is when the first read that saw the write was sent (an upper bound: each read takes as long as Keystone does).`,
        tables: [{ columns: ['writer', 'reader', 'write', 'reads', 'stale reads', 'visible after (ms)'], rows: rows.map((x) => [x.writer, x.reader, x.write, x.reads, x.staleReads, x.visibleAfterMs === null ? `not within ${VISIBILITY_BOUND_MS} ms` : Math.round(x.visibleAfterMs)]), status: rows.map((x) => (x.visibleAfterMs === null ? 'fail' : undefined)) }],
      }]),
    });
    const neverVisible = rows.filter((x) => x.visibleAfterMs === null);
    if (neverVisible.length) testInfo.annotations.push({ type: 'gate-category', description: 'invariant' });
    expect(neverVisible.map((x) => `${x.write} in ${x.writer} never seen by ${x.reader}`), `writes invisible in another region after ${VISIBILITY_BOUND_MS} ms`).toEqual([]);
  });
});

function median(xs: readonly number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
