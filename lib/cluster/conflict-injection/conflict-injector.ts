import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ClusterInfo } from '../cluster-info.js';
import type { InjectedConflict, InjectionSettings } from './injection-settings.js';
import { MARIADB_CATALOG_SQL, MARIADB_INJECTIONS_SQL, MARIADB_TRIGGER_COVERAGE_SQL, mariadbInjectorSql, parseMariadbCatalog } from './mariadb-injector.js';
import { parseInjections, POSTGRES_INJECTIONS_SQL, POSTGRES_TRIGGER_COVERAGE_SQL, postgresInjectorSql } from './postgres-injector.js';

const run = promisify(execFile);

/** A table of the Keystone schema and whether the injector's triggers are on it. */
export interface TriggerCoverage { table: string; statement: boolean; commit: boolean }

/**
 * The database-side conflict injector of one database node, driven through `docker exec` (the
 * host never dials a container address). One per backend; the cluster code picks it.
 */
export interface ConflictInjector {
  /** Installs the triggers on every table of the schema (after db_sync and bootstrap). */
  install(): Promise<void>;
  coverage(): Promise<TriggerCoverage[]>;
  /** Every conflict injected so far, from the injector's own log table. */
  injections(): Promise<InjectedConflict[]>;
}

async function dockerExec(containerId: string, argv: string[], input?: string, timeoutMs = 60_000): Promise<string> {
  const child = run('docker', ['exec', ...(input === undefined ? [] : ['-i']), containerId, ...argv], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (input !== undefined) child.child.stdin?.end(input);
  const { stdout } = await child;
  return stdout;
}

export function postgresInjector(containerId: string, settings: InjectionSettings, database = 'keystone'): ConflictInjector {
  const psql = (args: string[], input?: string) =>
    dockerExec(containerId, ['runuser', '-u', 'postgres', '--', 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', database, ...args], input);
  return {
    install: async () => { await psql(['-f', '-'], postgresInjectorSql(settings)); },
    coverage: async () => (await psql(['-At', '-F', '\t', '-c', POSTGRES_TRIGGER_COVERAGE_SQL])).split('\n').filter(Boolean).map((l) => {
      const [table, statement, commit] = l.split('\t');
      return { table: table!, statement: statement === 't', commit: commit === 't' };
    }),
    injections: async () => parseInjections(await psql(['-At', '-c', POSTGRES_INJECTIONS_SQL]), containerId.slice(0, 12)),
  };
}

export function mariadbInjector(containerId: string, settings: InjectionSettings, database = 'keystone', node = containerId.slice(0, 12)): ConflictInjector {
  const mariadb = (args: string[], input?: string) => dockerExec(containerId, ['mariadb', '-uroot', '-N', '-B', database, ...args], input);
  return {
    install: async () => {
      const tables = parseMariadbCatalog(await mariadb(['-e', MARIADB_CATALOG_SQL(database)]));
      await mariadb([], mariadbInjectorSql(settings, tables));
    },
    coverage: async () => (await mariadb(['-e', MARIADB_TRIGGER_COVERAGE_SQL(database)])).split('\n').filter(Boolean).map((l) => {
      const [table, statement] = l.split('\t');
      return { table: table!, statement: statement === '1', commit: false };
    }),
    injections: async () => parseInjections(await mariadb(['-e', MARIADB_INJECTIONS_SQL]), node),
  };
}

/**
 * The injectors of a cluster the suite started: PostgreSQL's one node, or every Galera node (the
 * triggers are DDL, which Galera replicates, so installing on the first node covers all; the
 * injection logs are node-local and read from each).
 */
export function injectorsFor(info: ClusterInfo, settings: InjectionSettings): ConflictInjector[] {
  const ids = [...new Set(info.regions.map((r) => r.databaseContainer).filter((x): x is string => !!x))];
  if (info.backend === 'postgres') return ids.map((id) => postgresInjector(id, settings));
  if (info.backend === 'galera') return ids.map((id, i) => mariadbInjector(id, settings, 'keystone', info.regions[i]?.databaseNode ?? id.slice(0, 12)));
  throw new Error(`conflict injection is not available on backend ${info.backend}`);
}

/** Installs on the first node and checks that every table of every node carries the triggers. */
export async function installInjection(info: ClusterInfo, settings: InjectionSettings): Promise<TriggerCoverage[]> {
  const injectors = injectorsFor(info, settings);
  await injectors[0]!.install();
  const coverage = (await Promise.all(injectors.map((i) => i.coverage()))).flat();
  const missing = coverage.filter((c) => !c.statement || (info.backend === 'postgres' && !c.commit));
  if (!coverage.length || missing.length) throw new Error(`conflict injector: ${missing.length} of ${coverage.length} tables without triggers (${missing.slice(0, 5).map((c) => c.table).join(', ')})`);
  return coverage;
}
