import type { InjectionSettings } from './injection-settings.js';

/**
 * Conflict injection inside MariaDB/Galera: per-table BEFORE row triggers that fail chosen
 * transactions with `SIGNAL SQLSTATE '40001'` and `MYSQL_ERRNO = 1213`, the error a Galera
 * certification failure gives ("Deadlock found when trying to get lock; try restarting
 * transaction"). MariaDB has no deferred triggers, so every injection is at the statement.
 *
 * The decision lives outside the transaction: MyISAM tables are not transactional, so the claim
 * and the log survive the rollback (and, not being InnoDB, Galera keeps them node-local: each
 * region's Keystone retries against its own node). A transaction attempt is recognised by a mark
 * in a session-local InnoDB temporary table (transactional: a rollback removes it) stamped with
 * WSREP_LAST_WRITTEN_GTID() (which a commit changes), and a session whose last attempt was
 * injected passes its next one if it writes first to the same table with the same operation
 * within `retrySeconds` (the retry, even if a salted hash makes its first row look new); any other
 * next attempt is judged afresh.
 *
 * MariaDB triggers cannot be generic (NEW.col must be spelled out) and CREATE TRIGGER cannot run
 * as dynamic SQL, so the installer reads the catalog first and writes one trigger per table and
 * operation. Hand-written SQL: no library injects 1213 into MariaDB.
 */
export interface MariadbTable {
  name: string;
  /** Columns naming a row across a retry: the primary key, or (auto-increment keys) the other columns except time ones. */
  identity: string[];
}

const DEADLOCK = 'Deadlock found when trying to get lock; try restarting transaction';
const q = (ident: string) => '`' + ident.replace(/`/g, '``') + '`';
const lit = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/**
 * Tables, primary keys, auto-increment and time columns of the schema (one row per column), and
 * the column's place in the table's first unique key other than the primary key (0 if none).
 */
export const MARIADB_CATALOG_SQL = (database: string) => `
SELECT c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_KEY = 'PRI', c.EXTRA LIKE '%auto_increment%',
  c.DATA_TYPE IN ('datetime', 'timestamp') OR c.COLUMN_NAME LIKE '%\\_at' OR c.COLUMN_NAME LIKE '%\\_at\\_int',
  IFNULL((SELECT s.SEQ_IN_INDEX FROM information_schema.STATISTICS s WHERE s.TABLE_SCHEMA = c.TABLE_SCHEMA AND s.TABLE_NAME = c.TABLE_NAME
    AND s.COLUMN_NAME = c.COLUMN_NAME AND s.NON_UNIQUE = 0 AND s.INDEX_NAME = (SELECT MIN(u.INDEX_NAME) FROM information_schema.STATISTICS u
      WHERE u.TABLE_SCHEMA = c.TABLE_SCHEMA AND u.TABLE_NAME = c.TABLE_NAME AND u.NON_UNIQUE = 0 AND u.INDEX_NAME <> 'PRIMARY')), 0)
FROM information_schema.COLUMNS c JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
WHERE c.TABLE_SCHEMA = ${lit(database)} AND t.TABLE_TYPE = 'BASE TABLE' AND t.ENGINE = 'InnoDB'
  AND c.TABLE_NAME NOT IN ('alembic_version', 'migrate_version')
ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`;

/** `mariadb -N -B` rows of MARIADB_CATALOG_SQL -> tables with their identity columns. */
export function parseMariadbCatalog(text: string): MariadbTable[] {
  const byTable = new Map<string, { pk: string[]; serialPk: boolean; unique: [number, string][]; stable: string[] }>();
  for (const line of text.split('\n').filter(Boolean)) {
    const [table, column, pri, auto, time, uniqueSeq] = line.split('\t');
    const t = byTable.get(table!) ?? byTable.set(table!, { pk: [], serialPk: false, unique: [], stable: [] }).get(table!)!;
    if (pri === '1') t.pk.push(column!);
    if (pri === '1' && auto === '1') t.serialPk = true;
    if (Number(uniqueSeq) > 0) t.unique.push([Number(uniqueSeq), column!]);
    if (auto !== '1' && time !== '1') t.stable.push(column!);
  }
  // A serial key is drawn anew by a retry: a unique key names the row instead, else the stable columns do.
  return [...byTable].map(([name, t]) => ({
    name,
    identity: t.pk.length && !t.serialPk ? t.pk : t.unique.length ? t.unique.sort((a, b) => a[0] - b[0]).map(([, c]) => c) : t.stable,
  }));
}

export function mariadbInjectorSql(s: InjectionSettings, tables: MariadbTable[]): string {
  const ttl = Math.max(1, Math.round(s.ttlSeconds));
  const retryMs = Math.max(100, Math.round(s.retrySeconds * 1000));
  const decide = s.mode === 'every'
    ? `SET n = (SELECT COUNT(*) FROM ksgate_txn_counter) + 1; INSERT INTO ksgate_txn_counter () VALUES ();
       IF n % ${s.every} <> 0 THEN LEAVE body; END IF;`
    // ROW_COUNT() reads 0 inside a trigger's procedure in 10.11, so look first; the race between
    // two sessions with the same first row is left open (it only spares one injection).
    // A spared write slides its claim, as on PostgreSQL (postgres-injector.ts says why).
    : `IF (SELECT at FROM ksgate_claim WHERE k = claim_key) >= NOW(6) - INTERVAL ${ttl} SECOND THEN UPDATE ksgate_claim SET at = NOW(6) WHERE k = claim_key; LEAVE body; END IF;
       REPLACE INTO ksgate_claim (k, at) VALUES (claim_key, NOW(6));`;
  const triggers = tables.flatMap((t) => (['INSERT', 'UPDATE', 'DELETE'] as const).map((op) => {
    const row = op === 'INSERT' ? 'NEW' : 'OLD';
    const ident = t.identity.length ? `CONCAT_WS('|', ${t.identity.map((c) => `${row}.${q(c)}`).join(', ')})` : "''";
    const name = q(`ksgate_inject_${op.toLowerCase()}_${t.name}`.slice(0, 64));
    return `DROP TRIGGER IF EXISTS ${name};
CREATE TRIGGER ${name} BEFORE ${op} ON ${q(t.name)} FOR EACH ROW CALL ksgate_on_write(${lit(t.name)}, '${op}', ${ident});`;
  }));
  return `
CREATE TABLE IF NOT EXISTS ksgate_claim (k VARCHAR(191) PRIMARY KEY, at DATETIME(6) NOT NULL) ENGINE=MyISAM;
CREATE TABLE IF NOT EXISTS ksgate_injection (n BIGINT AUTO_INCREMENT PRIMARY KEY, at DATETIME(6) NOT NULL, tbl VARCHAR(64) NOT NULL,
  op VARCHAR(8) NOT NULL, point VARCHAR(10) NOT NULL, k VARCHAR(191) NOT NULL) ENGINE=MyISAM;
CREATE TABLE IF NOT EXISTS ksgate_txn_counter (n BIGINT AUTO_INCREMENT PRIMARY KEY) ENGINE=MyISAM;
DROP PROCEDURE IF EXISTS ksgate_on_write;
DELIMITER //
CREATE PROCEDURE ksgate_on_write(IN t VARCHAR(64), IN o VARCHAR(8), IN ident TEXT)
body: BEGIN
  DECLARE cur_gtid VARCHAR(200) DEFAULT CONCAT(CONNECTION_ID(), '/', IFNULL(WSREP_LAST_WRITTEN_GTID(), ''));
  DECLARE claim_key VARCHAR(191) DEFAULT CONCAT(t, ':', o, ':', MD5(IFNULL(ident, '')));
  DECLARE n BIGINT;
  -- One decision per transaction attempt, on its first written row.
  CREATE TEMPORARY TABLE IF NOT EXISTS ksgate_attempt (gtid VARCHAR(200)) ENGINE=InnoDB;
  IF EXISTS (SELECT 1 FROM ksgate_attempt WHERE gtid = cur_gtid) THEN LEAVE body; END IF;
  DELETE FROM ksgate_attempt;
  INSERT INTO ksgate_attempt (gtid) VALUES (cur_gtid);
  -- The retry of an injected attempt on this connection: same first table and operation, soon after.
  IF @ksgate_injected = CONCAT(t, ':', o) AND @ksgate_injected_at >= NOW(6) - INTERVAL ${retryMs * 1000} MICROSECOND THEN
    SET @ksgate_injected = NULL; LEAVE body;
  END IF;
  SET @ksgate_injected = NULL;
  ${decide}
  SET @ksgate_injected = CONCAT(t, ':', o), @ksgate_injected_at = NOW(6);
  INSERT INTO ksgate_injection (at, tbl, op, point, k) VALUES (NOW(6), t, o, 'statement', claim_key);
  SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = '${DEADLOCK}';
END//
DELIMITER ;
${triggers.join('\n')}
`;
}

export const MARIADB_TRIGGER_COVERAGE_SQL = (database: string) => `
SELECT t.TABLE_NAME, (SELECT COUNT(*) FROM information_schema.TRIGGERS g WHERE g.EVENT_OBJECT_SCHEMA = t.TABLE_SCHEMA
  AND g.EVENT_OBJECT_TABLE = t.TABLE_NAME AND g.TRIGGER_NAME LIKE 'ksgate\\_inject\\_%') = 3
FROM information_schema.TABLES t WHERE t.TABLE_SCHEMA = ${lit(database)} AND t.TABLE_TYPE = 'BASE TABLE' AND t.ENGINE = 'InnoDB'
  AND t.TABLE_NAME NOT IN ('alembic_version', 'migrate_version') ORDER BY 1`;

export const MARIADB_INJECTIONS_SQL = `
SELECT IFNULL(JSON_ARRAYAGG(JSON_OBJECT('n', n, 'at', ROUND(UNIX_TIMESTAMP(at) * 1000), 'table', tbl, 'op', op, 'point', point, 'key', k)), '[]')
FROM (SELECT * FROM ksgate_injection ORDER BY n) i`;
