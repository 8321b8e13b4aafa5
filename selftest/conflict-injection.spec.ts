// The database-side conflict injector on bare databases (no Keystone): PostgreSQL 15 and one
// MariaDB/Galera node from the project's own images. Each client session below is one psql or
// mariadb invocation through `docker exec`, as a Keystone worker's connection would be.
import { test, expect } from '@playwright/test';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { mariadbInjector, postgresInjector, type ConflictInjector } from '../lib/cluster/conflict-injection/conflict-injector.js';
import type { InjectionSettings } from '../lib/cluster/conflict-injection/injection-settings.js';
import { galeraImage, postgresImage } from '../lib/cluster/images.js';
import { ownershipLabels, removeRun } from '../lib/cluster/ownership.js';

process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
const run = promisify(execFile);
test.describe.configure({ mode: 'serial' });
test.setTimeout(180_000);

const FIRST_ATTEMPT: InjectionSettings = { mode: 'first-attempt', every: 1, point: 'alternate', ttlSeconds: 30, retrySeconds: 2 };
const runId = `inject-selftest-${randomBytes(4).toString('hex')}`;

/** Keystone-like tables: a uuid key, a serial key with a time column, a composite key, no key at all. */
const SCHEMA = `
CREATE TABLE project (id varchar(64) PRIMARY KEY, name varchar(64) UNIQUE, extra text);
CREATE TABLE revocation_event (id serial PRIMARY KEY, project_id varchar(64), revoked_at timestamp NOT NULL);
CREATE TABLE assignment (type varchar(64), actor_id varchar(64), target_id varchar(64), role_id varchar(64), PRIMARY KEY (type, actor_id, target_id, role_id));
CREATE TABLE nopk (a int, b text);
CREATE TABLE app_cred (internal_id serial PRIMARY KEY, id varchar(64) UNIQUE, secret_hash text);`;

async function session(container: StartedTestContainer, argv: string[], script: string): Promise<string> {
  const child = run('docker', ['exec', '-i', container.getId(), ...argv], { timeout: 30_000 });
  child.child.stdin?.end(script);
  const { stdout, stderr } = await child;
  return stdout + stderr;
}

/**
 * Which steps of one session's script were injected: each step prints its name and the injection
 * log's size after its write (errors go to stderr, apart from stdout, so they cannot be placed).
 */
function injectedSteps(out: string): Record<string, boolean> {
  const steps: Record<string, boolean> = {};
  let last: number | undefined;
  for (const m of out.matchAll(/step=(\S+) count=(\d+)/g)) {
    const n = Number(m[2]);
    steps[m[1]!] = last !== undefined && n > last;
    last = n;
  }
  return steps;
}

test.describe('PostgreSQL injector', () => {
  let pg: StartedTestContainer;
  const psql = (script: string) => session(pg, ['runuser', '-u', 'postgres', '--', 'psql', '-X', '-q', '-v', 'VERBOSITY=verbose', '-d', 'keystone'], script);
  let injector: ConflictInjector;

  test.beforeAll(async () => {
    pg = await new GenericContainer(await postgresImage()).withLabels(ownershipLabels(runId))
      .withEnvironment({ PG_PASSWORD: randomBytes(8).toString('hex'), PG_DATABASE: 'keystone' })
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/)).start();
    await psql(SCHEMA);
    injector = postgresInjector(pg.getId(), FIRST_ATTEMPT);
    await injector.install();
  });
  test.afterAll(() => { removeRun(runId); });

  test('installation puts both triggers on every table of the schema, and a table added later gets them on reinstall', async () => {
    expect(await injector.coverage()).toEqual(['app_cred', 'assignment', 'nopk', 'project', 'revocation_event'].map((table) => ({ table, statement: true, commit: true })));
    await psql('CREATE TABLE later (id text PRIMARY KEY);');
    expect((await injector.coverage()).find((c) => c.table === 'later')).toEqual({ table: 'later', statement: false, commit: false });
    await injector.install();
    expect((await injector.coverage()).every((c) => c.statement && c.commit)).toBe(true);
  });

  test('the first attempt fails at the statement with 40001, the retry of the same write passes and stores one row', async () => {
    const first = await psql("INSERT INTO project VALUES ('p1', 'n1', '{}');");
    expect(first).toContain('ERROR:  40001: could not serialize access due to concurrent update');
    expect(await psql("SELECT count(*) AS rows FROM project WHERE id = 'p1';")).toMatch(/rows\s*-+\s*0/);
    expect(await psql("INSERT INTO project VALUES ('p1', 'n1', '{}');")).not.toContain('ERROR');
    expect(await psql("SELECT count(*) AS rows FROM project WHERE id = 'p1';")).toMatch(/rows\s*-+\s*1/);
  });

  test('the commit-time variant lets the statement run and fails COMMIT, storing nothing', async () => {
    // Injection #2 (alternate: odd at the statement, even at commit).
    const out = await psql("BEGIN;\nUPDATE project SET extra = 'x' WHERE id = 'p1';\n\\echo statement-done\nCOMMIT;\n");
    expect(out).toContain('statement-done');
    expect(out).toMatch(/ERROR:  40001: could not serialize access due to read\/write dependencies among transactions[\s\S]*at commit/);
    expect(await psql("SELECT extra FROM project WHERE id = 'p1';")).toContain('{}');
    expect(await psql("UPDATE project SET extra = 'x' WHERE id = 'p1';")).not.toContain('ERROR');
  });

  test('only the first written row of an attempt decides; a serial key is named by its stable columns', async () => {
    const twoRows = "BEGIN;\nINSERT INTO assignment VALUES ('u', 'a', 't', 'r');\nINSERT INTO assignment VALUES ('u', 'a2', 't', 'r');\nCOMMIT;\n";
    expect(await psql(twoRows)).toContain('40001');
    expect(await psql(twoRows)).not.toContain('ERROR');
    const revoke = "INSERT INTO revocation_event (project_id, revoked_at) VALUES ('p1', clock_timestamp());";
    expect(await psql(revoke)).toContain('40001');
    // A new id and a new time on the retry: still the same row, so it passes.
    expect(await psql(revoke)).not.toContain('ERROR');
    expect(await psql('INSERT INTO nopk VALUES (1, \'x\');')).toContain('40001');
    expect(await psql('INSERT INTO nopk VALUES (1, \'x\');')).not.toContain('ERROR');
  });

  test('a commit-time injection whose transaction fails for its own reason first never reaches the client and is not logged', async () => {
    // Injection #6 is due at commit; the duplicate key kills the transaction before COMMIT.
    const out = await psql("BEGIN;\nINSERT INTO project VALUES ('p9', 'n9', '');\nINSERT INTO project VALUES ('p1', 'dup', '');\nCOMMIT;\n");
    expect(out).toContain('23505');
    expect(out).not.toContain('40001');
  });

  test('the injection log and its counter survive the rollbacks of the transactions they failed', async () => {
    const log = await injector.injections();
    expect(log.map((i) => [i.n, i.table, i.op, i.point])).toEqual([
      [1, 'project', 'INSERT', 'statement'], [2, 'project', 'UPDATE', 'commit'], [3, 'assignment', 'INSERT', 'statement'],
      [4, 'revocation_event', 'INSERT', 'commit'], [5, 'nopk', 'INSERT', 'statement'],
    ]);
    expect(log.every((i) => i.at > Date.now() - 120_000 && i.at <= Date.now() + 1_000)).toBe(true);
    expect(log.some((i) => i.n === 6), 'the injection that never fired').toBe(false);
  });

  test('a serial key with a unique column is named by that column: a retry with a new salted hash passes', async () => {
    expect(await psql("INSERT INTO app_cred (id, secret_hash) VALUES ('a1', 'salt-1');")).toContain('40001');
    expect(await psql("INSERT INTO app_cred (id, secret_hash) VALUES ('a1', 'salt-2');")).not.toContain('ERROR');
  });

  test('in one session, the attempt right after an injected one passes even if its first row looks new; the next is injected again', async () => {
    const out = await psql("INSERT INTO nopk VALUES (7, 'salt-1');\nINSERT INTO nopk VALUES (7, 'salt-2');\nINSERT INTO nopk VALUES (8, 'x');\n");
    expect(out.match(/40001/g)?.length).toBe(2);
    expect(await psql('SELECT a, b FROM nopk WHERE a IN (7, 8);')).toMatch(/7 \| salt-2\s*\(1 row\)/);
  });

  test('an injected attempt not retried on its connection spares nothing else there: another table, or the same table after the retry window, is injected', async () => {
    // Stock Keystone gives up after an injection and its connection serves the next request: that
    // request must meet its own conflict (the old rule spared any next attempt: 2 of these 4).
    const out = await psql("INSERT INTO nopk VALUES (20, 'a');\nINSERT INTO project VALUES ('w1', 'w1', '');\nINSERT INTO nopk VALUES (21, 'b');\nSELECT pg_sleep(2.5);\nINSERT INTO nopk VALUES (22, 'c');\n");
    expect(out.match(/40001/g)?.length).toBe(4);
  });

  test('every-N mode fails exactly every Nth transaction, counted across rollbacks', async () => {
    await postgresInjector(pg.getId(), { ...FIRST_ATTEMPT, mode: 'every', every: 3, point: 'statement' }).install();
    const outcomes: boolean[] = [];
    for (let i = 0; i < 6; i++) outcomes.push((await psql(`INSERT INTO nopk VALUES (${100 + i}, 'e');`)).includes('40001'));
    expect(outcomes).toEqual([false, false, true, false, false, true]);
  });

  test('a row written again and again within the TTL is never injected again (the claim slides); after the TTL of quiet it is', async () => {
    // A retried unit of several transactions (a cascade delete) rewrites its first rows for longer
    // than the TTL on a loaded machine: with a fixed claim they were injected again, 28 retries on end.
    // One session, so the gaps are the sleeps' (docker exec takes a second or more under load).
    await postgresInjector(pg.getId(), { ...FIRST_ATTEMPT, point: 'statement', ttlSeconds: 3 }).install();
    const count = (step: string) => `SELECT 'step=${step} count=' || count(*) FROM ksgate_inject.injection;\n`;
    // A new value each time: MariaDB starts a new attempt only after a write that changed something.
    const update = (step: string) => `UPDATE project SET extra = '${step}' WHERE id = 's1';\n${count(step)}`;
    const out = await psql([
      "INSERT INTO project VALUES ('s1', 's1', '');", "INSERT INTO project VALUES ('s1', 's1', '');", count('before'),
      update('injected'), 'SELECT pg_sleep(0.1);', update('retry'), 'SELECT pg_sleep(2);', update('spared-2s'),
      // 4 s after the injection, 2 s after the last write: a fixed claim had expired here
      'SELECT pg_sleep(2);', update('spared-4s'), 'SELECT pg_sleep(3.5);', update('quiet-3.5s'),
    ].join('\n'));
    expect(injectedSteps(out)).toEqual({ before: false, injected: true, retry: false, 'spared-2s': false, 'spared-4s': false, 'quiet-3.5s': true });
  });
});

test.describe('MariaDB/Galera injector', () => {
  let db: StartedTestContainer;
  const mariadb = (script: string) => session(db, ['mariadb', '-uroot', '--force', 'keystone'], script);
  let injector: ConflictInjector;
  const STATEMENT: InjectionSettings = { ...FIRST_ATTEMPT, point: 'statement' };

  test.beforeAll(async () => {
    db = await new GenericContainer(await galeraImage()).withLabels(ownershipLabels(runId))
      .withEnvironment({ GALERA_NODE_NAME: 'n1', GALERA_CLUSTER_ADDRESS: 'gcomm://', GALERA_BOOTSTRAP: '1', GALERA_DB_NAME: 'keystone', GALERA_DB_USER: 'keystone', GALERA_DB_PASSWORD: randomBytes(8).toString('hex') })
      .withWaitStrategy(Wait.forLogMessage(/database keystone and user keystone ready/)).start();
    await mariadb(SCHEMA.replace('id serial PRIMARY KEY', 'id INT AUTO_INCREMENT PRIMARY KEY').replace('internal_id serial PRIMARY KEY', 'internal_id INT AUTO_INCREMENT PRIMARY KEY').replace('revoked_at timestamp', 'revoked_at DATETIME'));
    injector = mariadbInjector(db.getId(), STATEMENT);
    await injector.install();
  });
  test.afterAll(() => { removeRun(runId); });

  test('installation puts the triggers on every table', async () => {
    expect(await injector.coverage()).toEqual(['app_cred', 'assignment', 'nopk', 'project', 'revocation_event'].map((table) => ({ table, statement: true, commit: false })));
  });

  test('the first attempt fails with 1213 (40001) as a Galera certification failure does; the retry passes once', async () => {
    expect(await mariadb("INSERT INTO project VALUES ('p1', 'n1', '');")).toContain('ERROR 1213 (40001) at line 1: Deadlock found when trying to get lock; try restarting transaction');
    expect(await mariadb("INSERT INTO project VALUES ('p1', 'n1', '');")).not.toContain('ERROR');
    expect(await mariadb("SELECT COUNT(*) FROM project WHERE id = 'p1';")).toMatch(/\n1\n/);
    expect(await mariadb("UPDATE project SET extra = 'x' WHERE id = 'p1';")).toContain('1213');
    expect(await mariadb("UPDATE project SET extra = 'x' WHERE id = 'p1';")).not.toContain('ERROR');
  });

  test('a retry in the same session passes even when its first row differs; a committed write starts a new attempt', async () => {
    // Injected on q1, rolled back; the same session's next transaction is still that attempt's retry.
    const out = await mariadb("BEGIN;\nINSERT INTO project VALUES ('q1', 'q1', '');\nROLLBACK;\nBEGIN;\nINSERT INTO project VALUES ('q2', 'q2', '');\nCOMMIT;\nINSERT INTO project VALUES ('q3', 'q3', '');\n");
    expect(out.match(/ERROR 1213/g)?.length).toBe(2);
    expect(await mariadb("SELECT id FROM project WHERE id LIKE 'q%' ORDER BY id;")).toMatch(/^id\nq2\n$/);
  });

  test('a transaction that failed for its own reason does not spare the next one on its connection', async () => {
    // The duplicate key fails q4's transaction before any injection; q5 is a new attempt and is injected.
    const out = await mariadb("INSERT INTO project VALUES ('p1', 'dup', '');\nINSERT INTO project VALUES ('q5', 'q5', '');\n");
    expect(out).toContain('ERROR 1062');
    expect(out).toContain('ERROR 1213');
  });

  test('a serial key with a unique column is named by that column: a retry with a new salted hash passes', async () => {
    expect(await mariadb("INSERT INTO app_cred (id, secret_hash) VALUES ('a1', 'salt-1');")).toContain('1213');
    expect(await mariadb("INSERT INTO app_cred (id, secret_hash) VALUES ('a1', 'salt-2');")).not.toContain('ERROR');
  });

  test('the injection log survives the rollbacks', async () => {
    expect((await injector.injections()).map((i) => [i.n, i.table, i.op, i.point])).toEqual([
      [1, 'project', 'INSERT', 'statement'], [2, 'project', 'UPDATE', 'statement'], [3, 'project', 'INSERT', 'statement'], [4, 'project', 'INSERT', 'statement'],
      [5, 'project', 'INSERT', 'statement'], [6, 'app_cred', 'INSERT', 'statement'],
    ]);
  });

  test('an injected attempt not retried on its connection spares nothing else there: another table, or the same table after the retry window, is injected', async () => {
    const out = await mariadb("INSERT INTO nopk VALUES (20, 'a');\nINSERT INTO project VALUES ('w1', 'w1', '');\nINSERT INTO nopk VALUES (21, 'b');\nDO SLEEP(2.5);\nINSERT INTO nopk VALUES (22, 'c');\n");
    expect(out.match(/ERROR 1213/g)?.length).toBe(4);
  });

  test('a row written again and again within the TTL is never injected again (the claim slides); after the TTL of quiet it is', async () => {
    await mariadbInjector(db.getId(), { ...STATEMENT, ttlSeconds: 3 }).install();
    const count = (step: string) => `SELECT CONCAT('step=${step} count=', COUNT(*)) FROM ksgate_injection;\n`;
    // A new value each time: MariaDB starts a new attempt only after a write that changed something.
    const update = (step: string) => `UPDATE project SET extra = '${step}' WHERE id = 's1';\n${count(step)}`;
    const out = await mariadb([
      "INSERT INTO project VALUES ('s1', 's1', '');", "INSERT INTO project VALUES ('s1', 's1', '');", count('before'),
      update('injected'), 'DO SLEEP(0.1);', update('retry'), 'DO SLEEP(2);', update('spared-2s'),
      'DO SLEEP(2);', update('spared-4s'), 'DO SLEEP(3.5);', update('quiet-3.5s'),
    ].join('\n'));
    expect(injectedSteps(out)).toEqual({ before: false, injected: true, retry: false, 'spared-2s': false, 'spared-4s': false, 'quiet-3.5s': true });
  });
});
