import { test, expect } from '@playwright/test';
import type { HistoryEvent, Outcome } from '../lib/workload/history.js';
import {
  checkCascade, checkNoLostInsert, checkNoLostUpdate, checkRevocation, checkSetSemantics, checkTakesEffect, checkUniqueName,
} from '../lib/workload/checkers/index.js';

/** One hand-made operation: invoked at `start`, completed at `end` (for info: when the client gave up). */
interface Spec { f: string; type: Outcome; value?: unknown; start: number; end: number; status?: number; result?: unknown }
type Extra = Partial<Pick<Spec, 'status' | 'result'>>;
const ok = (f: string, value: unknown, start: number, end: number, extra: Extra = {}): Spec => ({ f, type: 'ok', value, start, end, ...extra });
const fail = (f: string, value: unknown, start: number, end: number, extra: Extra = {}): Spec => ({ f, type: 'fail', value, start, end, ...extra });
const info = (f: string, value: unknown, start: number, end: number): Spec => ({ f, type: 'info', value, start, end });
const read = (result: unknown, start: number, end = start + 1): Spec => ok('read', undefined, start, end, { result });

/** Builds a time-ordered event list, one process per operation. */
function history(...specs: Spec[]): HistoryEvent[] {
  const events = specs.flatMap((s, process) => [
    { process, type: 'invoke' as const, op: s.f, f: s.f, value: s.value, time: s.start },
    { process, type: s.type, op: s.f, f: s.f, value: s.result, status: s.status, time: s.end },
  ]);
  return events.sort((a, b) => a.time - b.time).map((e, index) => ({ index, ...e }));
}

test.describe('unique-name checker', () => {
  const create = (name = 'proj') => ({ name });

  test('accepts one 201, the rest 409 or unknown, one row', () => {
    const r = checkUniqueName(history(
      ok('create', create(), 0, 10, { status: 201 }),
      fail('create', create(), 1, 12, { status: 409 }),
      fail('create', create(), 2, 13, { status: 409 }),
      info('create', create(), 3, 60),
      read([{ name: 'proj' }, { name: 'other' }], 70),
    ));
    expect(r).toMatchObject({ valid: true, invariant: 'unique-name', details: [] });
    expect(r.counts).toMatchObject({ ok: 1, conflict: 2, unknown: 1 });
  });

  test('accepts a winner whose answer was lost', () => {
    expect(checkUniqueName(history(
      info('create', create(), 0, 60),
      fail('create', create(), 1, 12, { status: 409 }),
      read([{ name: 'proj' }], 70),
    )).valid).toBe(true);
  });

  test('rejects two 201s on one name', () => {
    const r = checkUniqueName(history(
      ok('create', create(), 0, 10, { status: 201 }),
      ok('create', create(), 1, 11, { status: 201 }),
      read([{ name: 'proj' }], 20),
    ));
    expect(r.valid).toBe(false);
    expect(r.details.join('\n')).toMatch(/2 creates acknowledged/);
  });

  test('rejects two rows, a loser that got 400, and a missing row', () => {
    expect(checkUniqueName(history(
      ok('create', create(), 0, 10, { status: 201 }), fail('create', create(), 1, 11, { status: 409 }),
      read([{ name: 'proj' }, { name: 'proj' }], 20),
    )).details.join('\n')).toMatch(/2 rows/);
    expect(checkUniqueName(history(
      ok('create', create(), 0, 10, { status: 201 }), fail('create', create(), 1, 11, { status: 400 }),
      read([{ name: 'proj' }], 20),
    )).details.join('\n')).toMatch(/answered 400, expected 409/);
    expect(checkUniqueName(history(
      ok('create', create(), 0, 10, { status: 201 }), read([], 20),
    )).details.join('\n')).toMatch(/no row/);
  });

  test('rejects a history with no winner or no final read', () => {
    expect(checkUniqueName(history(fail('create', create(), 0, 1, { status: 409 }), read([{ name: 'proj' }], 5))).valid).toBe(false);
    expect(checkUniqueName(history(ok('create', create(), 0, 1, { status: 201 }))).valid).toBe(false);
    expect(checkUniqueName(history(read([], 0))).valid).toBe(false);
  });
});

test.describe('no-lost-insert checker', () => {
  test('accepts acked creates listed, unknown either way, failed absent', () => {
    const r = checkNoLostInsert(history(
      ok('create', { name: 'a' }, 0, 5), ok('create', { name: 'b' }, 1, 6),
      info('create', { name: 'c' }, 2, 30), info('create', { name: 'd' }, 2, 30),
      fail('create', { name: 'e' }, 3, 7, { status: 400 }),
      ok('create', { name: 'f' }, 35, 45), // still running when the read began: may be missing
      read([{ name: 'a' }, { name: 'b' }, { name: 'c' }], 40),
    ));
    expect(r).toMatchObject({ valid: true, details: [] });
    expect(r.counts).toMatchObject({ acked: 3, unknown: 2, failed: 1, listed: 3 });
  });

  test('rejects a lost insert', () => {
    const r = checkNoLostInsert(history(ok('create', { name: 'a' }, 0, 5), ok('create', { name: 'b' }, 1, 6), read([{ name: 'a' }], 10)));
    expect(r.valid).toBe(false);
    expect(r.details).toEqual([expect.stringMatching(/^lost insert: 'b'/)]);
    expect(r.counts?.lost).toBe(1);
  });

  test('rejects rows never created, created after the read, listed twice, or whose create failed', () => {
    const r = checkNoLostInsert(history(
      ok('create', { name: 'a' }, 0, 5),
      fail('create', { name: 'e' }, 1, 4, { status: 400 }),
      ok('create', { name: 'late' }, 20, 25),
      read([{ name: 'a' }, { name: 'a' }, { name: 'ghost' }, { name: 'e' }, { name: 'late' }], 10),
    ));
    expect(r.valid).toBe(false);
    const text = r.details.join('\n');
    expect(text).toMatch(/'a' listed 2 times/);
    expect(text).toMatch(/'ghost' listed but never created/);
    expect(text).toMatch(/'e' listed although its create failed/);
    expect(text).toMatch(/'late' listed but never created/);
  });
});

test.describe('no-lost-update checker', () => {
  const initial = { description: 'd0', enabled: true, name: 'p' };

  test('accepts concurrent PATCHes of different attributes that both persist', () => {
    const r = checkNoLostUpdate(history(
      read(initial, 0),
      ok('update', { description: 'd1' }, 5, 15),
      ok('update', { enabled: false }, 6, 14),
      read({ ...initial, description: 'd1', enabled: false }, 20),
    ));
    expect(r).toMatchObject({ valid: true, details: [] });
  });

  test('rejects an acked PATCH overwritten by a concurrent PATCH of another attribute', () => {
    const r = checkNoLostUpdate(history(
      read(initial, 0),
      ok('update', { description: 'd1' }, 5, 15),
      ok('update', { enabled: false }, 6, 14),
      read({ ...initial, enabled: false }, 20),
    ));
    expect(r.valid).toBe(false);
    expect(r.details).toEqual([expect.stringMatching(/^lost update of 'description': .* shows "d0", after .* set "d1"/)]);
  });

  test('accepts an unknown write either way, and either of two overlapping writes', () => {
    for (const description of ['d0', 'd1']) {
      expect(checkNoLostUpdate(history(read(initial, 0), info('update', { description: 'd1' }, 5, 50), read({ ...initial, description }, 60))).valid).toBe(true);
    }
    for (const description of ['a', 'b']) {
      expect(checkNoLostUpdate(history(
        ok('update', { description: 'a' }, 5, 15), ok('update', { description: 'b' }, 6, 16), read({ description }, 20),
      ), { initial }).valid).toBe(true);
    }
  });

  test('rejects a superseded value, a failed write that landed, and an initial value after an ack', () => {
    expect(checkNoLostUpdate(history(
      ok('update', { description: 'a' }, 5, 10), ok('update', { description: 'b' }, 11, 16), read({ description: 'a' }, 20),
    ), { initial }).valid).toBe(false);
    expect(checkNoLostUpdate(history(
      fail('update', { description: 'bad' }, 5, 10, { status: 400 }), read({ ...initial, description: 'bad' }, 20),
    ), { initial }).valid).toBe(false); // a 4xx write must not land
    expect(checkNoLostUpdate(history(
      fail('update', { description: 'bad' }, 5, 10, { status: 400 }), read(initial, 20),
    ), { initial }).valid).toBe(true);
    expect(checkNoLostUpdate(history(info('update', { description: 'x' }, 1, 40), ok('update', { description: 'a' }, 5, 10), read({ description: 'd0' }, 50)), { initial }).valid).toBe(false);
  });
});

test.describe('set-semantics checker', () => {
  const add = (element: string, start: number, end: number) => ok('add', { element }, start, end);
  const remove = (element: string, start: number, end: number) => ok('remove', { element }, start, end);

  test('accepts acked adds minus acked removes, with overlapping and unknown ops either way', () => {
    const specs = (final: string[]) => history(
      add('a', 0, 5),
      add('b', 0, 5), remove('b', 6, 9),
      add('c', 0, 10), remove('c', 5, 12), // overlapping: either
      info('add', { element: 'd' }, 0, 50), // unknown: either
      fail('remove', { element: 'a' }, 6, 8, { status: 404 }), // failed: no effect
      read(final, 60),
    );
    for (const final of [['a'], ['a', 'c'], ['a', 'd'], ['a', 'c', 'd']]) {
      expect(checkSetSemantics(specs(final))).toMatchObject({ valid: true, details: [] });
    }
  });

  test('reports lost adds and resurrected removes separately', () => {
    const r = checkSetSemantics(history(
      add('a', 0, 5), add('b', 0, 5), remove('b', 6, 9), add('x', 0, 1), remove('x', 2, 3),
      read(['b', 'x'], 20),
    ));
    expect(r.valid).toBe(false);
    expect(r.counts).toMatchObject({ lostAdds: 1, resurrectedRemoves: 2, phantoms: 0 });
    expect(r.details.filter((d) => d.startsWith('lost add:'))).toEqual([expect.stringContaining("'a'")]);
    expect(r.details.filter((d) => d.startsWith('resurrected remove:'))).toHaveLength(2);
  });

  test('judges against the initial set and rejects phantoms', () => {
    expect(checkSetSemantics(history(read(['m'], 0)), { initial: ['m'] }).valid).toBe(true);
    const lostMember = checkSetSemantics(history(add('a', 0, 1), read(['a'], 5)), { initial: ['m'] });
    expect(lostMember.details).toEqual([expect.stringMatching(/^lost add: initial member 'm'/)]);
    const phantom = checkSetSemantics(history(info('remove', { element: 'p' }, 0, 40), read(['p', 'q'], 50)));
    expect(phantom.counts).toMatchObject({ phantoms: 2 });
  });

  test('an op still running when the read began leaves the element undetermined', () => {
    expect(checkSetSemantics(history(add('a', 0, 5), remove('a', 9, 30), read(['a'], 10, 20))).valid).toBe(true);
    expect(checkSetSemantics(history(add('a', 0, 5), remove('a', 9, 30), read([], 10, 20))).valid).toBe(true);
    // A remove begun after the read finished cannot explain an absence.
    expect(checkSetSemantics(history(add('a', 0, 5), remove('a', 25, 30), read([], 10, 20))).valid).toBe(false);
  });
});

test.describe('revocation checker', () => {
  test('accepts validations before or concurrent with the ack, and rejections after it', () => {
    const r = checkRevocation(history(
      ok('validate', { token: 't1' }, 0, 2),
      ok('revoke', { token: 't1' }, 3, 10),
      ok('validate', { token: 't1', region: 'RegionTwo' }, 5, 12), // overlaps the revoke
      fail('validate', { token: 't1', region: 'RegionTwo' }, 11, 13, { status: 404 }),
      info('revoke', { token: 't2' }, 3, 40),
      ok('validate', { token: 't2' }, 41, 42), // revocation never acknowledged
      ok('validate', { token: 't3' }, 41, 42),
    ));
    expect(r).toMatchObject({ valid: true, details: [] });
    expect(r.counts).toMatchObject({ revocationsAcked: 1, validatesAfterAck: 1 });
  });

  test('rejects a token validated after its revocation was acknowledged, on any region', () => {
    const r = checkRevocation(history(
      ok('revoke', { token: 't1', region: 'RegionOne' }, 0, 10),
      ok('validate', { token: 't1', region: 'RegionTwo' }, 15, 17),
      ok('validate', { token: 't1', region: 'RegionOne' }, 30, 31),
    ));
    expect(r.valid).toBe(false);
    expect(r.details).toHaveLength(2);
    expect(r.details[0]).toMatch(/token 't1' validated in region RegionTwo by .* invoked 5 ms after its revocation/);
  });
});

test.describe('takes-effect checker', () => {
  const change = (user: string, from: string, to: string) => ({ user, from, to });

  test('accepts the old password failing after the ack and succeeding only while concurrent', () => {
    expect(checkTakesEffect(history(
      ok('change-password', change('u', 'p0', 'p1'), 0, 10),
      ok('auth', { user: 'u', password: 'p0' }, 5, 12), // concurrent with the change
      fail('auth', { user: 'u', password: 'p0', region: 'RegionTwo' }, 11, 13, { status: 401 }),
      ok('auth', { user: 'u', password: 'p1' }, 11, 13),
    ))).toMatchObject({ valid: true, details: [] });
  });

  test('rejects the old password accepted after the ack, including by a second password change', () => {
    const r = checkTakesEffect(history(
      ok('change-password', change('u', 'p0', 'p1'), 0, 10),
      ok('auth', { user: 'u', password: 'p0', region: 'RegionTwo' }, 11, 13),
      ok('change-password', change('u', 'p0', 'p2'), 20, 30),
    ));
    expect(r.valid).toBe(false);
    expect(r.details.filter((d) => /still accepted/.test(d))).toHaveLength(2);
    expect(r.details[0]).toMatch(/password of user u 'p0' still accepted in region RegionTwo/);
  });

  test('rejects a disabled user or project still authenticating; a re-enable restores access', () => {
    expect(checkTakesEffect(history(
      ok('disable-user', { user: 'u' }, 0, 10), ok('auth', { user: 'u', password: 'p' }, 11, 12),
    )).valid).toBe(false);
    expect(checkTakesEffect(history(
      ok('disable-project', { project: 'pr' }, 0, 10), ok('auth', { user: 'u', password: 'p', project: 'pr' }, 11, 12),
    )).details.join('\n')).toMatch(/project pr still accepted/);
    expect(checkTakesEffect(history(
      ok('disable-user', { user: 'u' }, 0, 10), info('enable-user', { user: 'u' }, 15, 40), ok('auth', { user: 'u', password: 'p' }, 20, 22),
    )).valid).toBe(true);
    expect(checkTakesEffect(history(
      ok('change-password', change('u', 'p0', 'p1'), 0, 10), ok('change-password', change('u', 'p1', 'p0'), 11, 20),
      ok('auth', { user: 'u', password: 'p0' }, 21, 22), fail('auth', { user: 'u', password: 'p1' }, 21, 22, { status: 401 }),
    )).valid).toBe(true);
  });
});

test.describe('cascade checker', () => {
  test('accepts reads after the delete that list only children of surviving parents', () => {
    const r = checkCascade(history(
      read([{ user: 'u1', project: 'p1', role: 'r1' }], 0), // before the delete: fine
      ok('delete', { kind: 'project', id: 'p1' }, 2, 10),
      read([{ user: 'u1', project: 'p2', role: 'r1' }], 11),
    ));
    expect(r).toMatchObject({ valid: true, details: [] });
  });

  test('rejects an assignment or credential that survives its parent', () => {
    const r = checkCascade(history(
      ok('delete', { kind: 'role', id: 'r1' }, 0, 10),
      ok('delete', { kind: 'user', id: 'u2' }, 0, 10),
      read([{ user: 'u1', project: 'p1', role: 'r1' }, { kind: 'credential', user: 'u2' }], 11),
    ));
    expect(r.valid).toBe(false);
    expect(r.counts).toMatchObject({ orphans: 2 });
    expect(r.details[0]).toMatch(/lists .*"role":"r1".* referencing role r1/);
  });

  test('rejects a delete that no later read checked, ignores unacknowledged deletes', () => {
    expect(checkCascade(history(read([], 0), ok('delete', { kind: 'user', id: 'u' }, 2, 10))).details).toEqual([
      expect.stringMatching(/no read after user u was deleted/),
    ]);
    expect(checkCascade(history(info('delete', { kind: 'user', id: 'u' }, 0, 10), ok('delete', { kind: 'user', id: 'v' }, 0, 10), read([{ user: 'u' }], 11))).valid).toBe(true);
  });
});

// Issue 11, "Concurrency judging": histories these checkers used to accept, and what they must still accept.
test.describe('set-semantics checker: overlapping operations do not hide a lost add', () => {
  const add = (element: string, start: number, end: number) => ok('add', { element }, start, end);

  test('rejects an acknowledged add followed by an add of unknown outcome, final read without the element', () => {
    const r = checkSetSemantics(history(add('x', 0, 5), info('add', { element: 'x' }, 10, 40), read([], 50)));
    expect(r.valid).toBe(false);
    expect(r.details).toEqual([expect.stringMatching(/^lost add: 'x' added by .*no remove could have followed it/)]);
  });

  test('rejects two overlapping acknowledged adds, final read without the element', () => {
    const r = checkSetSemantics(history(add('x', 0, 10), add('x', 2, 12), read([], 20)));
    expect(r.valid).toBe(false);
    expect(r.counts).toMatchObject({ lostAdds: 1 });
  });

  test('accepts the absence when an acknowledged or unknown remove could have landed after the last acknowledged add', () => {
    // The remove overlaps the last add: it may have taken effect after it.
    expect(checkSetSemantics(history(add('x', 0, 10), ok('remove', { element: 'x' }, 5, 15), add('x', 8, 12), read([], 20))).valid).toBe(true);
    // An unknown remove invoked before the read may have landed at any time after its invocation.
    expect(checkSetSemantics(history(add('x', 0, 5), info('remove', { element: 'x' }, 1, 40), add('x', 10, 12), read([], 20))).valid).toBe(true);
    // A remove that completed before the last acknowledged add was invoked cannot explain the absence.
    expect(checkSetSemantics(history(add('x', 0, 5), ok('remove', { element: 'x' }, 6, 8), add('x', 10, 12), read([], 20))).valid).toBe(false);
  });

  test('rejects a presence that no add could explain after overlapping acknowledged removes', () => {
    const r = checkSetSemantics(history(ok('remove', { element: 'x' }, 0, 10), ok('remove', { element: 'x' }, 2, 12), read(['x'], 20)), { initial: ['x'] });
    expect(r.details).toEqual([expect.stringMatching(/^resurrected remove: 'x'/)]);
  });
});

test.describe('a checker that judged nothing returns invalid, with the reason', () => {
  test('set semantics: no element at all', () => {
    expect(checkSetSemantics(history(read([], 0))).details).toEqual(['no element added, removed, initial or listed: nothing was checked']);
  });

  test('revocation: no acknowledged revoke, or an acknowledged revoke with no validation after it', () => {
    expect(checkRevocation(history(ok('validate', { token: 't1' }, 0, 1))).details).toEqual(['no revocation acknowledged: nothing was checked']);
    const r = checkRevocation(history(
      ok('revoke', { token: 't1' }, 0, 10), fail('validate', { token: 't1' }, 11, 12, { status: 404 }),
      ok('revoke', { token: 't2' }, 0, 10), ok('validate', { token: 't2' }, 5, 9), // only before the ack
    ));
    expect(r.valid).toBe(false);
    expect(r.details).toEqual([expect.stringMatching(/^token 't2': no validation invoked after its revocation was acknowledged/)]);
    // A random mixed workload (chaos) need not validate every revoked token, but at least one.
    const some = history(
      ok('revoke', { token: 't1' }, 0, 10), fail('validate', { token: 't1' }, 11, 12, { status: 404 }),
      ok('revoke', { token: 't2' }, 0, 10),
    );
    expect(checkRevocation(some, { everyRevocation: false })).toMatchObject({ valid: true, counts: { revocationsUnchecked: 1 } });
    const none = history(ok('revoke', { token: 't1' }, 0, 10), ok('revoke', { token: 't2' }, 0, 10), ok('validate', { token: 't2' }, 5, 9));
    expect(checkRevocation(none, { everyRevocation: false }).details).toEqual(['none of the 2 acknowledged revocations was followed by a validation: nothing was checked']);
  });

  test('takes effect: no acknowledged change, or no attempt after it', () => {
    expect(checkTakesEffect(history(ok('auth', { user: 'u', password: 'p0' }, 0, 1))).details).toEqual(['no password change or disable acknowledged: nothing was checked']);
    expect(checkTakesEffect(history(ok('disable-user', { user: 'u' }, 0, 10), ok('auth', { user: 'u', password: 'p' }, 2, 8))).details)
      .toEqual([expect.stringMatching(/^no attempt invoked after .* disable-user ok was acknowledged: not checked/)]);
  });

  test('cascade: no acknowledged delete', () => {
    expect(checkCascade(history(info('delete', { kind: 'user', id: 'u' }, 0, 10), read([], 11))).details).toEqual(['no delete acknowledged: nothing was checked']);
  });

  test('no lost insert: no create acknowledged before the read', () => {
    const r = checkNoLostInsert(history(info('create', { name: 'a' }, 0, 50), ok('create', { name: 'b' }, 0, 30), read([], 10, 40)));
    expect(r.valid).toBe(false);
    expect(r.details[0]).toMatch(/^no create acknowledged before .* began: nothing was checked/);
  });

  test('no lost update: no attribute judged', () => {
    expect(checkNoLostUpdate(history(info('update', { a: 1 }, 0, 50), read({ a: 1 }, 60))).details).toEqual([
      'no attribute could be judged (no update, or no settled write and no initial state): nothing was checked',
    ]);
    expect(checkNoLostUpdate(history(info('update', { a: 1 }, 0, 50), read({ a: 0 }, 60)), { initial: { a: 0 } }).valid).toBe(true);
  });

  test('unique name: no create', () => {
    expect(checkUniqueName(history(read([], 0))).details).toEqual(['no create in the history: nothing was checked']);
  });
});
