import { performance } from 'node:perf_hooks';

/**
 * A Jepsen-style history: every operation is an `invoke` followed by exactly one completion.
 * `ok` and `fail` are definite (the write happened / did not); `info` is an unknown outcome
 * (timeout, connection closed with no response), which checkers must treat as "maybe, at any
 * later time".
 */
export type Outcome = 'ok' | 'fail' | 'info';

/**
 * What a scenario declares of one write before sending it: that it must be acknowledged, or the
 * statuses it may legitimately be refused with (the losers of a same-name create: 409; a wrong
 * old password: 401). Recorded on the invocation so the judge, not each scenario, decides
 * whether a refusal was legitimate: a Keystone that answers a conflict with a 4xx must not pass.
 */
export type WriteExpectation = { kind: 'must-ack' } | { kind: 'may-refuse'; statuses: number[] };

export interface OpEvent {
  index: number;
  /** Worker number; at most one outstanding operation per process, which is how events pair up. */
  process: number;
  type: 'invoke' | Outcome;
  /** Operation key, e.g. 'PATCH /v3/projects/{project_id}'. */
  op: string;
  /** Logical function the checkers reason about, e.g. 'add', 'read', 'revoke'. */
  f?: string;
  value?: unknown;
  /** On invocations of writes: what the scenario declared (see WriteExpectation). */
  expect?: WriteExpectation;
  /** Monotonic milliseconds (performance.now()). */
  time: number;
  status?: number;
  requestId?: string;
  error?: string;
}

/** Nemesis activity, kept in the same timeline so reports can line faults up with anomalies. */
export interface FaultEvent {
  index: number;
  type: 'fault-start' | 'fault-end';
  name: string;
  value?: unknown;
  time: number;
}

export type HistoryEvent = OpEvent | FaultEvent;

export interface Completion {
  value?: unknown;
  status?: number;
  requestId?: string;
  error?: string;
}

export interface OpHandle {
  readonly invocation: OpEvent;
  ok(c?: Completion): OpEvent;
  fail(c?: Completion): OpEvent;
  info(c?: Completion): OpEvent;
  complete(type: Outcome, c?: Completion): OpEvent;
}

export interface FaultHandle {
  readonly start: FaultEvent;
  end(value?: unknown): FaultEvent;
}

/** An invocation with its completion, plus the times checkers reason with. */
export interface OpPair {
  invoke: OpEvent;
  /** Undefined while the operation is still pending. */
  completion?: OpEvent;
  /** A pending operation counts as unknown. */
  outcome: Outcome;
  start: number;
  /** When the effect is known to have happened by: Infinity for unknown outcomes, which may land any time later. */
  end: number;
}

export interface FaultWindow {
  name: string;
  start: number;
  /** Undefined if the fault was never healed in the recorded span. */
  end?: number;
  value?: unknown;
}

export type OpCounts = Record<string, Record<'invoke' | Outcome, number>>;

export function isOpEvent(e: HistoryEvent): e is OpEvent {
  return e.type === 'invoke' || e.type === 'ok' || e.type === 'fail' || e.type === 'info';
}

/** Pairs invocations with completions by process, in invocation order. */
export function pairsOf(events: readonly HistoryEvent[]): OpPair[] {
  const pairs: OpPair[] = [];
  const open = new Map<number, OpPair>();
  for (const e of events) {
    if (!isOpEvent(e)) continue;
    if (e.type === 'invoke') {
      const pair: OpPair = { invoke: e, outcome: 'info', start: e.time, end: Infinity };
      open.set(e.process, pair);
      pairs.push(pair);
      continue;
    }
    const pair = open.get(e.process);
    if (!pair) throw new Error(`event ${e.index}: ${e.type} on process ${e.process} with no open invocation`);
    open.delete(e.process);
    pair.completion = e;
    pair.outcome = e.type;
    pair.end = e.type === 'info' ? Infinity : e.time;
  }
  return pairs;
}

export function countsOf(events: readonly HistoryEvent[]): OpCounts {
  const counts: OpCounts = {};
  for (const e of events) {
    if (!isOpEvent(e)) continue;
    const c = (counts[e.op] ??= { invoke: 0, ok: 0, fail: 0, info: 0 });
    c[e.type]++;
  }
  return counts;
}

export function faultWindowsOf(events: readonly HistoryEvent[]): FaultWindow[] {
  const windows: FaultWindow[] = [];
  const open = new Map<string, FaultWindow>();
  for (const e of events) {
    if (e.type === 'fault-start') {
      const w: FaultWindow = { name: e.name, start: e.time, value: e.value };
      open.set(e.name, w);
      windows.push(w);
    } else if (e.type === 'fault-end') {
      const w = open.get(e.name);
      if (w) { w.end = e.time; open.delete(e.name); }
    }
  }
  return windows;
}

/** Accepted wherever a history is read, so checkers work on a recorder or a hand-made event list. */
export type HistoryLike = History | readonly HistoryEvent[];

export function eventsOf(h: HistoryLike): readonly HistoryEvent[] {
  return h instanceof History ? h.events : h;
}

export class History {
  private readonly log: HistoryEvent[] = [];
  private readonly outstanding = new Set<number>();

  /** `clock` is injectable so tests can write exact timelines. */
  constructor(private readonly clock: () => number = () => performance.now()) {}

  get events(): readonly HistoryEvent[] {
    return this.log;
  }

  invoke(process: number, op: string, opts: { f?: string; value?: unknown; expect?: WriteExpectation } = {}): OpHandle {
    // Pairing is by process, so a second outstanding op on one process would corrupt the history.
    if (this.outstanding.has(process)) throw new Error(`process ${process} already has an outstanding operation`);
    this.outstanding.add(process);
    const invocation = this.push<OpEvent>({ process, type: 'invoke', op, ...defined(opts), time: this.clock() });
    let completed: OpEvent | undefined;
    const complete = (type: Outcome, c: Completion = {}): OpEvent => {
      if (completed) throw new Error(`operation ${invocation.index} (${op}) completed twice`);
      this.outstanding.delete(process);
      const f = invocation.f;
      completed = this.push<OpEvent>({ process, type, op, ...defined({ f, ...c }), time: this.clock() });
      return completed;
    };
    return {
      invocation,
      complete,
      ok: (c) => complete('ok', c),
      fail: (c) => complete('fail', c),
      info: (c) => complete('info', c),
    };
  }

  faultStart(name: string, value?: unknown): FaultHandle {
    const start = this.push<FaultEvent>({ type: 'fault-start', name, ...defined({ value }), time: this.clock() });
    let ended: FaultEvent | undefined;
    return {
      start,
      // Idempotent: heal paths run in `finally` and may race with an explicit end.
      end: (v?: unknown) => (ended ??= this.faultEnd(name, v)),
    };
  }

  faultEnd(name: string, value?: unknown): FaultEvent {
    return this.push<FaultEvent>({ type: 'fault-end', name, ...defined({ value }), time: this.clock() });
  }

  pairs(): OpPair[] {
    return pairsOf(this.log);
  }

  /** Pairs of one operation key (or of any key the predicate accepts). */
  pairsFor(op: string | ((pair: OpPair) => boolean)): OpPair[] {
    const keep = typeof op === 'string' ? (p: OpPair) => p.invoke.op === op : op;
    return this.pairs().filter(keep);
  }

  opEvents(op?: string): OpEvent[] {
    return this.log.filter((e): e is OpEvent => isOpEvent(e) && (op === undefined || e.op === op));
  }

  counts(): OpCounts {
    return countsOf(this.log);
  }

  faults(): FaultWindow[] {
    return faultWindowsOf(this.log);
  }

  toJSON(): { events: HistoryEvent[]; counts: OpCounts; faults: FaultWindow[] } {
    return { events: [...this.log], counts: this.counts(), faults: this.faults() };
  }

  private push<E extends HistoryEvent>(e: Omit<E, 'index'>): E {
    const event = { index: this.log.length, ...e } as E;
    this.log.push(event);
    return event;
  }
}

/** Drops undefined fields so attached JSON stays small and events compare cleanly. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
