import { INJECTED_MARKER, type InjectedConflict, type InjectionSettings } from './injection-settings.js';

/**
 * Conflict injection inside PostgreSQL: every table of the Keystone schema gets a row trigger that
 * aborts chosen transactions with SQLSTATE 40001 and PostgreSQL's own serialization-failure
 * messages, at the statement or at COMMIT, as CockroachDB does under contention.
 *
 * Which transaction fails is decided outside the transaction, since the transaction's own writes
 * are rolled back with it: a claim table written through dblink (its own session, read committed,
 * committed at once) holds the row identities already injected, and a sequence counts
 * transactions for the every-Nth mode. Only the first written row of a transaction attempt is
 * considered (a transaction-local setting marks the attempt), so a transaction fails at most once
 * per attempt and its retry, which writes the same first row again, passes.
 *
 * Hand-written SQL: no library installs 40001 injection into PostgreSQL.
 */
export function postgresInjectorSql(s: InjectionSettings): string {
  const ttl = `${Math.max(1, Math.round(s.ttlSeconds))} seconds`;
  const retry = `${Math.max(0.1, s.retrySeconds)} seconds`;
  return String.raw`
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
CREATE SCHEMA IF NOT EXISTS ksgate_inject;
-- Written only through dblink (never inside Keystone's transactions: reading them there under
-- SERIALIZABLE would take predicate locks and provoke real conflicts of the injector's making).
CREATE TABLE IF NOT EXISTS ksgate_inject.claim (key text PRIMARY KEY, at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS ksgate_inject.session (pid int PRIMARY KEY, injected boolean NOT NULL, tbl text, op text, at timestamptz);
CREATE TABLE IF NOT EXISTS ksgate_inject.injection (
  n bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp(),
  tbl text NOT NULL, op text NOT NULL, point text NOT NULL, key text NOT NULL, txid bigint NOT NULL, pid int NOT NULL);
CREATE SEQUENCE IF NOT EXISTS ksgate_inject.injections;
CREATE SEQUENCE IF NOT EXISTS ksgate_inject.transactions;

-- Runs in the dblink session: claims a row identity unless it was written within the TTL, and
-- hands out the injection number. Returns NULL when this write must pass.
-- Two guards make the retry pass: the row identity is claimed (a retry on another connection
-- writes the same first row), and a session whose last attempt was injected passes its next one
-- if it writes first to the same table with the same operation within ${retry} (the retry on the
-- same connection, even if a salted hash or a fresh serial makes its first row look new). Any
-- other next attempt clears the mark and is judged afresh.
CREATE OR REPLACE FUNCTION ksgate_inject.claim(k text, p int, always boolean, t text, o text) RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE spared boolean;
BEGIN
  IF NOT always THEN
    UPDATE ksgate_inject.session SET injected = false WHERE pid = p AND injected
      RETURNING tbl = t AND op = o AND at >= clock_timestamp() - interval '${retry}' INTO spared;
    IF spared THEN RETURN NULL; END IF;
    INSERT INTO ksgate_inject.claim AS c (key, at) VALUES (k, clock_timestamp())
      ON CONFLICT (key) DO UPDATE SET at = clock_timestamp() WHERE c.at < clock_timestamp() - interval '${ttl}';
    -- Spared: the claim slides with every write of the identity, so a retried unit of several
    -- transactions (a domain's cascade delete) that takes longer than the TTL under load never
    -- meets its earlier transactions' injections again (it did: 28 retries of one DELETE, 2026-12-03).
    IF NOT FOUND THEN UPDATE ksgate_inject.claim SET at = clock_timestamp() WHERE key = k; RETURN NULL; END IF;
    INSERT INTO ksgate_inject.session AS s (pid, injected, tbl, op, at) VALUES (p, true, t, o, clock_timestamp())
      ON CONFLICT (pid) DO UPDATE SET injected = true, tbl = t, op = o, at = clock_timestamp();
  END IF;
  RETURN nextval('ksgate_inject.injections');
END $fn$;

-- Runs in the dblink session, at the moment the error is raised: a commit-time injection whose
-- transaction failed earlier for its own reason (a duplicate key) never reached the client, and
-- is not logged.
CREATE OR REPLACE FUNCTION ksgate_inject.log(n bigint, t text, o text, pt text, k text, x bigint, p int) RETURNS bigint
LANGUAGE sql AS $fn$
  INSERT INTO ksgate_inject.injection (n, tbl, op, point, key, txid, pid) VALUES (n, t, o, pt, k, x, p) RETURNING n;
$fn$;

CREATE OR REPLACE FUNCTION ksgate_inject.dblink_session() RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE conn text := 'ksgate_inject';
BEGIN
  IF conn <> ALL (coalesce(dblink_get_connections(), '{}')) THEN
    PERFORM dblink_connect(conn, 'dbname=' || current_database() || ' user=postgres');
    PERFORM dblink_exec(conn, 'SET default_transaction_isolation = ''read committed''');
  END IF;
  RETURN conn;
END $fn$;

CREATE OR REPLACE FUNCTION ksgate_inject.on_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $fn$
DECLARE
  x bigint := txid_current();
  r jsonb; ident text; k text; n bigint; pt text; conn text;
BEGIN
  -- One decision per transaction attempt, on its first written row.
  IF current_setting('ksgate.inject_txid', true) IS NOT DISTINCT FROM x::text THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;
  END IF;
  PERFORM set_config('ksgate.inject_txid', x::text, true);
  ${s.mode === 'every' ? `IF nextval('ksgate_inject.transactions') % ${s.every} <> 0 THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;
  END IF;` : ''}
  IF TG_OP = 'INSERT' THEN r := to_jsonb(NEW); ELSE r := to_jsonb(OLD); END IF;
  -- Row identity: the primary key, or for serial keys the row without serial and time columns
  -- (a retry writes them anew), as the installer worked out from the catalog.
  IF TG_ARGV[0] = 'pk' THEN
    SELECT string_agg(coalesce(r ->> c, '<null>'), '|' ORDER BY i) INTO ident
      FROM unnest(TG_ARGV[1:TG_NARGS - 1]) WITH ORDINALITY AS u(c, i);
  ELSE
    ident := (r - TG_ARGV[1:TG_NARGS - 1])::text;
  END IF;
  k := TG_TABLE_NAME || ':' || TG_OP || ':' || md5(coalesce(ident, ''));
  conn := ksgate_inject.dblink_session();
  SELECT v INTO n FROM dblink(conn, format('SELECT ksgate_inject.claim(%L, %s, ${s.mode === 'every'}, %L, %L)', k, pg_backend_pid(), TG_TABLE_NAME, TG_OP)) AS d(v bigint);
  IF n IS NULL THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;
  END IF;
  pt := ${s.point === 'alternate' ? `CASE WHEN n % 2 = 1 THEN 'statement' ELSE 'commit' END` : `'${s.point}'`};
  IF pt = 'statement' THEN
    PERFORM v FROM dblink(conn, format('SELECT ksgate_inject.log(%s, %L, %L, %L, %L, %s, %s)', n, TG_TABLE_NAME, TG_OP, pt, k, x, pg_backend_pid())) AS d(v bigint);
    RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'could not serialize access due to concurrent update',
      DETAIL = format('${INJECTED_MARKER} #%s at the statement: %s', n, k);
  END IF;
  -- At commit: the deferred constraint trigger raises when COMMIT runs it.
  PERFORM set_config('ksgate.inject_at_commit', format('%s %s %s %s', n, TG_TABLE_NAME, TG_OP, k), true);
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;
END $fn$;

CREATE OR REPLACE FUNCTION ksgate_inject.at_commit() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE pending text[] := string_to_array(coalesce(current_setting('ksgate.inject_at_commit', true), ''), ' ');
BEGIN
  IF coalesce(array_length(pending, 1), 0) = 4 THEN
    PERFORM set_config('ksgate.inject_at_commit', '', true);
    PERFORM v FROM dblink(ksgate_inject.dblink_session(), format('SELECT ksgate_inject.log(%s, %L, %L, %L, %L, %s, %s)',
      pending[1], pending[2], pending[3], 'commit', pending[4], txid_current(), pg_backend_pid())) AS d(v bigint);
    RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'could not serialize access due to read/write dependencies among transactions',
      DETAIL = format('${INJECTED_MARKER} #%s at commit: %s', pending[1], pending[4]), HINT = 'The transaction might succeed if retried.';
  END IF;
  RETURN NULL;
END $fn$;

-- Every table of the schema, discovered from the catalog (new tables are covered too).
DO $install$
DECLARE t record; pk text[]; uk text[]; serial_pk boolean; cols text[]; args text;
BEGIN
  FOR t IN SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
           WHERE ns.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname NOT IN ('alembic_version', 'migrate_version') LOOP
    SELECT array_agg(a.attname::text ORDER BY k.ord) INTO pk
      FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = t.oid AND i.indisprimary;
    SELECT EXISTS (SELECT 1 FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = t.oid AND a.attname = ANY (pk) AND (a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%')) INTO serial_pk;
    -- A serial key is drawn anew by a retry; a unique key over other columns names the row instead
    -- (application_credential.id), else the row without serial and time columns does.
    SELECT array_agg(a.attname::text ORDER BY k.ord) INTO uk
      FROM (SELECT i.indrelid, i.indkey FROM pg_index i WHERE i.indrelid = t.oid AND i.indisunique AND NOT i.indisprimary
              AND i.indpred IS NULL AND i.indexprs IS NULL ORDER BY i.indnatts, i.indexrelid LIMIT 1) i
      CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum;
    IF pk IS NOT NULL AND NOT serial_pk THEN
      cols := pk; args := quote_literal('pk');
    ELSIF uk IS NOT NULL THEN
      cols := uk; args := quote_literal('pk');
    ELSE
      SELECT coalesce(array_agg(a.attname::text), '{}') INTO cols FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
          AND (a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%'
               OR format_type(a.atttypid, a.atttypmod) LIKE 'timestamp%' OR a.attname LIKE '%\_at' OR a.attname LIKE '%\_at\_int');
      args := quote_literal('row');
    END IF;
    SELECT args || coalesce(string_agg(', ' || quote_literal(c), '' ORDER BY o), '') INTO args FROM unnest(cols) WITH ORDINALITY AS u(c, o);
    EXECUTE format('DROP TRIGGER IF EXISTS ksgate_inject_statement ON public.%I', t.relname);
    EXECUTE format('DROP TRIGGER IF EXISTS ksgate_inject_commit ON public.%I', t.relname);
    EXECUTE format('CREATE TRIGGER ksgate_inject_statement BEFORE INSERT OR UPDATE OR DELETE ON public.%I FOR EACH ROW EXECUTE FUNCTION ksgate_inject.on_write(%s)', t.relname, args);
    EXECUTE format('CREATE CONSTRAINT TRIGGER ksgate_inject_commit AFTER INSERT OR UPDATE OR DELETE ON public.%I DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ksgate_inject.at_commit()', t.relname);
  END LOOP;
END $install$;
`;
}

/** Tables of the Keystone schema and whether both injector triggers are on each (installation check). */
export const POSTGRES_TRIGGER_COVERAGE_SQL = String.raw`
SELECT c.relname,
  EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'ksgate_inject_statement') AS statement,
  EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'ksgate_inject_commit') AS commit
FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
WHERE ns.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname NOT IN ('alembic_version', 'migrate_version') ORDER BY 1`;

/** The injection log as one JSON array (psql -At prints it on one line). */
export const POSTGRES_INJECTIONS_SQL = String.raw`
SELECT coalesce(json_agg(json_build_object('n', n, 'at', (extract(epoch FROM at) * 1000)::bigint, 'table', tbl, 'op', op, 'point', point, 'key', key) ORDER BY n), '[]')
FROM ksgate_inject.injection`;

export function parseInjections(json: string, node: string): InjectedConflict[] {
  const rows = JSON.parse(json.trim() || '[]') as Omit<InjectedConflict, 'node'>[];
  return rows.map((r) => ({ ...r, n: Number(r.n), at: Number(r.at), node }));
}
