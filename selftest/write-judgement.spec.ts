import { expect, test } from '@playwright/test';
import { History } from '../lib/workload/history.js';
import { mayRefuse, mustAck, call } from '../lib/workload/keystone-ops.js';
import { runConcurrent } from '../lib/workload/driver.js';
import { judgeProvocation, judgeScenario, judgeWrites, type StormEvidence } from '../lib/workload/write-judgement.js';
import { parseKeystoneLog } from '../lib/workload/keystone-log.js';
import { checkSetSemantics } from '../lib/workload/checkers/index.js';
import { renderRetryTable, writeRetryCoverage } from '../reports/retry-coverage-report.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { correlateRetries } from '../lib/workload/retry-coverage.js';

// Issue 11, "Concurrency judging": what a scenario declares of its writes is judged, not assumed.
const ADD = 'PUT /v3/groups/{group_id}/users/{user_id}';
const CREATE = 'POST /v3/projects';

test.describe('refused writes', () => {
  test('a must-ack write refused with 409 fails, naming the operation; an acknowledged one passes', () => {
    const h = new History();
    h.invoke(0, ADD, { f: 'add', value: { element: 'u1' }, expect: { kind: 'must-ack' } }).ok({ status: 204 });
    h.invoke(1, ADD, { f: 'add', value: { element: 'u2' }, expect: { kind: 'must-ack' } }).fail({ status: 409, requestId: 'req-x' });
    const j = judgeWrites(h);
    expect(j.unexpectedRefusals).toEqual([expect.stringMatching(/^write that must be acknowledged was refused with HTTP 409: #\d+ p1 PUT \/v3\/groups\/\{group_id\}\/users\/\{user_id\} fail 409 req-x$/)]);
    expect(j.undeclared).toEqual([]);
  });

  test('a same-name loser may get 409 but not 500-as-400 or 403; a refused connection is no acknowledgement either', () => {
    const h = new History();
    const loser = { f: 'create', value: { name: 'p' }, expect: { kind: 'may-refuse' as const, statuses: [409] } };
    h.invoke(0, CREATE, loser).ok({ status: 201 });
    h.invoke(1, CREATE, loser).fail({ status: 409 });
    expect(judgeWrites(h).unexpectedRefusals).toEqual([]);
    h.invoke(2, CREATE, loser).fail({ status: 400 });
    h.invoke(3, CREATE, { ...loser, expect: { kind: 'must-ack' } }).fail({ error: 'connect: ECONNREFUSED' });
    const j = judgeWrites(h).unexpectedRefusals;
    expect(j).toHaveLength(2);
    expect(j[0]).toMatch(/refused with HTTP 400, only 409 is a legitimate refusal here/);
    expect(j[1]).toMatch(/refused connection \(connect: ECONNREFUSED\)/);
  });

  test('a write with no declaration is a harness error; reads need none', () => {
    const h = new History();
    h.invoke(0, ADD, { f: 'add', value: { element: 'u1' } }).fail({ status: 409 });
    h.invoke(1, 'GET /v3/groups/{group_id}/users', { f: 'read' }).ok({ status: 200 });
    h.invoke(2, 'GET /v3/auth/tokens', { f: 'validate' }).fail({ status: 404 });
    expect(judgeWrites(h).undeclared).toEqual([expect.stringMatching(/^write 'add' declared neither mustAck nor mayRefuse/)]);
  });

  test('mustAck / mayRefuse reach the recorded invocation through the driver', async () => {
    const h = new History();
    const res = (status: number) => async () => ({ status });
    await runConcurrent({ history: h, concurrency: 1, ops: [
      mustAck(call(ADD, 'add', { element: 'u1' }, res(409))),
      mayRefuse(call(CREATE, 'create', { name: 'p' }, res(409)), 409),
    ] });
    expect(h.opEvents().filter((e) => e.type === 'invoke').map((e) => e.expect)).toEqual([{ kind: 'must-ack' }, { kind: 'may-refuse', statuses: [409] }]);
    expect(judgeWrites(h).unexpectedRefusals).toHaveLength(1);
    expect(() => mayRefuse(call(CREATE, 'create', {}, res(201)))).toThrow(/needs the statuses/);
  });
});

test.describe('timeouts', () => {
  test('a write with no answer within the client timeout is named; a dropped connection is not a timeout', () => {
    const h = new History();
    h.invoke(0, ADD, { f: 'add', value: { element: 'u1' }, expect: { kind: 'must-ack' } }).info({ error: 'timeout: no answer within 60000 ms', requestId: 'req-t' });
    h.invoke(1, ADD, { f: 'add', value: { element: 'u2' }, expect: { kind: 'must-ack' } }).info({ error: 'no-response: socket closed' });
    const j = judgeWrites(h);
    expect(j.timeouts).toEqual([expect.stringMatching(/^no answer within the client timeout: #0 p0 PUT .* info req-t/)]);
    // Unknown outcome for the checkers, not a refusal.
    expect(j.unexpectedRefusals).toEqual([]);
  });
});

test.describe('provocation', () => {
  test('a storm with 0 conflicts under a serializable backend is not judged; with conflicts it is', () => {
    expect(judgeProvocation({ semantics: 'serializable', conflictsByRequest: 0, databaseConflicts: 0 }).status).toBe('not-judged');
    // The database's window count includes other workers' storms: Keystone's per-request evidence counts first.
    expect(judgeProvocation({ semantics: 'serializable', conflictsByRequest: 0, databaseConflicts: 3 }).status).toBe('not-judged');
    expect(judgeProvocation({ semantics: 'serializable', conflictsByRequest: 4, databaseConflicts: 4 })).toMatchObject({ status: 'judged', reason: expect.stringMatching(/^4 conflict/) });
    expect(judgeProvocation({ semantics: 'serializable', conflictsByRequest: null, databaseConflicts: 2 }).status).toBe('judged');
  });

  test('a declared conflict-free storm, read committed, and an unknown backend are never a pass of retry coverage', () => {
    expect(judgeProvocation({ semantics: 'serializable', conflictsByRequest: 0, databaseConflicts: 0, declared: { cannotConflict: 'fernet tokens write nothing' } }))
      .toMatchObject({ status: 'declared-no-conflict', reason: expect.stringContaining('fernet tokens write nothing') });
    expect(judgeProvocation({ semantics: 'serializable', conflictsByRequest: 0, databaseConflicts: 0, declared: { unreliable: 'measured 0 per 20' } }).status).toBe('declared-unreliable');
    // A declared storm that did provoke conflicts is judged like any other.
    expect(judgeProvocation({ semantics: 'serializable', conflictsByRequest: 2, databaseConflicts: 2, declared: { unreliable: 'x' } }).status).toBe('judged');
    expect(judgeProvocation({ semantics: 'read-committed', conflictsByRequest: 0, databaseConflicts: 0 }))
      .toMatchObject({ status: 'not-applicable', reason: expect.stringMatching(/^retry coverage not applicable/) });
    expect(judgeProvocation({ semantics: 'unknown', conflictsByRequest: null, databaseConflicts: null }).status).toBe('unknown');
  });
});

test('the retry-coverage table shows conflicts answered as 4xx', () => {
  const h = new History();
  h.invoke(0, ADD).fail({ status: 409, requestId: 'req-00000001-2222-3333-4444-555555555555' });
  const [row] = correlateRetries(h.events, []);
  const html = renderRetryTable('t', [{ ...row!, conflictsAs4xx: 3 }], 0);
  expect(html).toContain('<th>conflicts as 4xx</th>');
  expect(html).toMatch(/<td>3<\/td>/);
});

test('the run-wide retry coverage under read committed is not applicable, never a pass; a 4xx leak fails it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ks-retry-rows-'));
  const h = new History();
  h.invoke(0, ADD).ok({ status: 204 });
  const [row] = correlateRetries(h.events, []);
  writeFileSync(join(dir, 'worker-0.jsonl'), JSON.stringify({ scenario: 's', ...row }) + '\n');
  const verdict = (isolation: string) => {
    writeRetryCoverage(dir, join(dir, 'out.json'), { isolation });
    return (JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { verdict: string }).verdict;
  };
  expect(verdict('read committed')).toBe('not-applicable');
  expect(verdict('serializable')).toBe('pass');
  writeFileSync(join(dir, 'worker-1.jsonl'), JSON.stringify({ scenario: 's', ...row, leaks: 1, conflictsAs4xx: 1 }) + '\n');
  expect(verdict('read committed')).toBe('fail');
});

test.describe('a whole scenario, judged', () => {
  const rid = (n: number) => `req-${String(n).padStart(8, '0')}-2222-3333-4444-555555555555`;
  const conflictLine = (n: number) => `2026-11-25 22:09:01.000 766 WARNING keystone.server.flask.application [${rid(n)} req-a u p - - d d] Conflict occurred attempting to store group membership - (psycopg2.errors.SerializationFailure) could not serialize access due to concurrent update`;
  const retryLine = (n: number) => `2026-11-25 22:09:01.000 766 DEBUG oslo_db.api [${rid(n)} req-a u p - - d d] Performing DB retry for function keystone.identity.backends.sql.Identity.add_user_to_group`;
  const storm = (h: History, log: string[]): StormEvidence => ({ rows: correlateRetries(h.events, parseKeystoneLog(log.join('\n'))), databaseConflicts: log.length, logsAvailable: true, semantics: 'serializable' });
  const must = (element: string) => ({ f: 'add', value: { element }, expect: { kind: 'must-ack' as const } });
  const readOf = (h: History, members: string[]) => h.invoke(9, 'GET /v3/groups/{group_id}/users', { f: 'read' }).ok({ status: 200, value: members });

  test('used to pass: a Keystone that answers a serialization failure with 409 leaks, naming the operation', () => {
    const h = new History();
    h.invoke(0, ADD, must('u1')).ok({ status: 204, requestId: rid(1) });
    h.invoke(1, ADD, must('u2')).fail({ status: 409, requestId: rid(2) });
    readOf(h, ['u1']);
    const v = judgeScenario(h, storm(h, [retryLine(1), conflictLine(2)]), [checkSetSemantics(h)]);
    expect(v.category).toBe('leaked-conflict');
    expect(v.problems[0]).toMatch(/^PUT \/v3\/groups\/\{group_id\}\/users\/\{user_id\}: 2 conflicts provoked, 1 retried to success, 1 leaked .*\(1 of them as a 4xx refusal\)/);
    expect(v.problems).toContainEqual(expect.stringMatching(/^write that must be acknowledged was refused with HTTP 409: .* fail 409/));
  });

  test('a lost add is named before the refusals it causes (invariant, not refused-write)', () => {
    // The mutant groups-add-member-lost: the setup add of u1 answered 204 and stored nothing, so
    // the storm's remove of u1 answered 404; both are problems, the lost add is the cause.
    const h = new History();
    h.invoke(0, ADD, must('u2')).ok({ status: 204, requestId: rid(1) });
    h.invoke(1, 'DELETE /v3/groups/{group_id}/users/{user_id}', { f: 'remove', value: { element: 'u1' }, expect: { kind: 'must-ack' } }).fail({ status: 404, requestId: rid(2) });
    readOf(h, []);
    const v = judgeScenario(h, storm(h, [retryLine(1)]), [checkSetSemantics(h, { initial: ['u1'] })]);
    expect(v.problems).toContainEqual(expect.stringMatching(/^write that must be acknowledged was refused with HTTP 404/));
    expect(v.problems).toContainEqual(expect.stringMatching(/^invariant set-semantics violated: .*lost add: 'u2'/));
    expect(v.category).toBe('invariant');
  });

  test('a refusal with no conflict in the log still fails a must-ack write (refused-write); a timeout fails as availability', () => {
    const h = new History();
    h.invoke(0, ADD, must('u1')).ok({ status: 204, requestId: rid(1) });
    h.invoke(1, ADD, must('u2')).fail({ status: 403, requestId: rid(2) });
    readOf(h, ['u1']);
    expect(judgeScenario(h, storm(h, [retryLine(1)]), [checkSetSemantics(h)]).category).toBe('refused-write');
    const t = new History();
    t.invoke(0, ADD, must('u1')).ok({ status: 204, requestId: rid(1) });
    t.invoke(1, ADD, must('u2')).info({ error: 'timeout: no answer', requestId: rid(2) });
    readOf(t, ['u1']);
    const v = judgeScenario(t, storm(t, [retryLine(1)]), [checkSetSemantics(t)]);
    expect(v.category).toBe('availability');
    expect(v.problems).toEqual([expect.stringMatching(/^availability: no answer within the client timeout: #\d+ p1 PUT .* info req-00000002/)]);
  });

  test('a storm that provoked no conflict fails as not-judged unless declared; with one conflict and every write acknowledged it passes', () => {
    const h = new History();
    h.invoke(0, ADD, must('u1')).ok({ status: 204, requestId: rid(1) });
    readOf(h, ['u1']);
    const none = judgeScenario(h, storm(h, []), [checkSetSemantics(h)]);
    expect(none.category).toBe('not-judged');
    expect(none.problems).toEqual([expect.stringMatching(/^not judged: the storm provoked no database conflict under serializable isolation/)]);
    expect(judgeScenario(h, storm(h, []), [checkSetSemantics(h)], { unreliable: 'measured 0 per 20' }).category).toBeUndefined();
    expect(judgeScenario(h, storm(h, [retryLine(1)]), [checkSetSemantics(h)])).toMatchObject({ category: undefined, problems: [], provocation: { status: 'judged' } });
  });
});
