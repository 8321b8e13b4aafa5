/**
 * What the database-side conflict injector does (KS_INJECT_CONFLICTS, KS_INJECT_POINT). Kept apart
 * from the SQL of each backend so settings, injectors and the report share one vocabulary.
 */
export type InjectionMode = 'first-attempt' | 'every';
export type InjectionPoint = 'statement' | 'commit' | 'alternate';

export interface InjectionSettings {
  /**
   * first-attempt: the first write of every transaction fails once with a serialization failure,
   * and the same transaction run again (its first written row has the same identity) passes: a
   * correct retry always succeeds, a missing retry always leaks.
   * every: the first write of every Nth transaction fails (a counter that survives rollbacks).
   */
  mode: InjectionMode;
  /** For mode 'every'. */
  every: number;
  /**
   * statement: the write statement itself fails (a BEFORE row trigger); commit: COMMIT fails (a
   * deferred constraint trigger, where CockroachDB usually reports restarts); alternate: odd
   * injections at the statement, even ones at commit (PostgreSQL only: MariaDB has no deferred triggers).
   */
  point: InjectionPoint;
  /**
   * A row identity is injected again only after this many seconds without a write of it, so a
   * retry (which comes back with the same first row well within it) passes however many times
   * its unit is retried, and a later, separate write of the same row (a second PATCH of one
   * project a minute on) meets a conflict again.
   */
  ttlSeconds: number;
  /**
   * A connection whose last attempt was injected lets its next attempt pass only if that attempt
   * writes first to the same table with the same operation within this many seconds: the retry of
   * the same code path (0.1 s later in the reference patch, with backoff), even when a salted hash
   * or a fresh serial makes its first row look new. Any other attempt on that connection (stock
   * Keystone gave up and the connection went back to the pool) is judged afresh, so no write path
   * escapes injection because an earlier request failed on its connection.
   */
  retrySeconds: number;
}

/** One conflict the database injected, as the injector's log table recorded it. */
export interface InjectedConflict {
  /** Injection number (1, 2, ...), in the order the database handed them out. */
  n: number;
  /** ms since epoch, the database's clock (same kernel clock as the client on one machine). */
  at: number;
  table: string;
  /** INSERT, UPDATE or DELETE: the write that met the conflict. */
  op: string;
  point: 'statement' | 'commit';
  /** Row identity (table:op:hash) the retry must come back with. */
  key: string;
  /** Database node that injected it (Galera: one per region; PostgreSQL: the one node). */
  node: string;
}

export const INJECTED_MARKER = 'ksgate conflict injection';
