/**
 * Parses Keystone's log (as `docker logs --timestamps` prints it) into the events the retry
 * correlator needs, keyed by the global request id the client sent.
 */
export type ConflictKind = 'serialization-failure' | 'deadlock' | 'duplicate-entry' | 'restart-transaction';

export interface KeystoneLogEvent {
  /** Log time from Keystone's own timestamp (ms since epoch, UTC). */
  time: number;
  pid: string;
  level: string;
  globalRequestId?: string;
  kind: 'retry' | 'unhandled' | 'error';
  /** Function oslo.db retried (retry) or the deepest driver frame of the traceback (unhandled). */
  function?: string;
  conflict?: ConflictKind;
  message: string;
}

// "<docker ts> 2026-11-25 22:08:38.590 764 CRITICAL keystone [req-a req-b ...] message"
const LINE = /^(?:\S+Z )?(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) (\d+) (DEBUG|INFO|WARNING|ERROR|CRITICAL) (\S+) \[(req-[0-9a-f-]{36}|None|-)?\s*([^\]]*)\] (.*)$/;
// Traceback continuation: "2026-11-25 22:08:38.590 764 ERROR keystone   File ..." (no context brackets).
const CONTINUATION = /^(?:\S+Z )?(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) (\d+) ERROR \S+ (.*)$/;
const FRAME = /File "[^"]*\/dist-packages\/(keystone\/[^"]+)\.py", line \d+, in (\w+)/;

export function conflictKindOf(text: string): ConflictKind | undefined {
  if (/SerializationFailure|could not serialize access/.test(text)) return 'serialization-failure';
  if (/restart transaction|retry txn|TransactionRetry/i.test(text)) return 'restart-transaction';
  if (/DBDeadlock|Deadlock found|deadlock detected|\(1213/.test(text)) return 'deadlock';
  if (/DBDuplicateEntry|duplicate key value/.test(text)) return 'duplicate-entry';
  return undefined;
}

/** "keystone/identity/backends/sql" + "add_user_to_group" -> "identity.backends.sql.add_user_to_group". */
function driverFunction(module: string, fn: string): string {
  return `${module.replace(/^keystone\//, '').replace(/\//g, '.')}.${fn}`;
}

export function parseKeystoneLog(text: string): KeystoneLogEvent[] {
  const events: KeystoneLogEvent[] = [];
  // Traceback lines of an unhandled error share its pid and timestamp; collect driver frames for it.
  let open: { event: KeystoneLogEvent; stamp: string; frames: string[] } | undefined;
  const close = () => {
    if (!open) return;
    const backend = open.frames.filter((f) => f.includes('.backends.'));
    open.event.function = backend.at(-1) ?? open.frames.at(-1);
    open = undefined;
  };
  for (const raw of text.split('\n')) {
    const m = LINE.exec(raw);
    if (!m) {
      const c = CONTINUATION.exec(raw);
      if (c && open && open.event.pid === c[2] && open.stamp === c[1]) {
        const f = FRAME.exec(c[3]!);
        if (f) open.frames.push(driverFunction(f[1]!, f[2]!));
      }
      continue;
    }
    const [, stamp, pid, level, , gid, , message] = m as unknown as string[];
    if (open && open.event.pid === pid && open.stamp === stamp && level === 'ERROR') {
      const f = FRAME.exec(message!);
      if (f) open.frames.push(driverFunction(f[1]!, f[2]!));
      if (!open.event.conflict) open.event.conflict = conflictKindOf(message!);
      continue;
    }
    close();
    const time = Date.parse(stamp!.replace(' ', 'T') + 'Z');
    const globalRequestId = gid && gid.startsWith('req-') ? gid : undefined;
    const retry = /Performing DB retry for function (\S+)/.exec(message!);
    if (retry) {
      events.push({ time, pid: pid!, level: level!, globalRequestId, kind: 'retry', function: retry[1]!.replace(/^keystone\./, ''), message: message! });
    } else if (level === 'CRITICAL' || /Unhandled error/.test(message!)) {
      const event: KeystoneLogEvent = { time, pid: pid!, level: level!, globalRequestId, kind: 'unhandled', conflict: conflictKindOf(message!), message: message! };
      events.push(event);
      open = { event, stamp: stamp!, frames: [] };
    } else if (level === 'ERROR' || level === 'WARNING') {
      const conflict = conflictKindOf(message!);
      if (conflict) events.push({ time, pid: pid!, level: level!, globalRequestId, kind: 'error', conflict, message: message! });
    }
  }
  close();
  return events;
}
