/**
 * A live progress line for long runs (chaos, load): elapsed time, ops/s, errors and the fault in
 * force, redrawn in place at most once per second. Only on a terminal, or when KS_PROGRESS=1
 * asks for it (then as plain lines, for CI logs); KS_PROGRESS=0 turns it off.
 */
import { closeSync, openSync, readlinkSync } from 'node:fs';
import { isatty, WriteStream } from 'node:tty';

export interface ProgressState {
  elapsedMs: number;
  /** Recent throughput (the caller chooses the window). */
  opsPerSec: number;
  ops: number;
  errors: number;
  /** The fault in force, if any ("crash galera-3"). */
  fault?: string;
}

/** Where the line goes: `tty` redraws in place, otherwise each update is one plain line. */
export interface ProgressSink {
  tty: boolean;
  /** Terminal width, to keep the line from wrapping (a wrapped line cannot be redrawn). */
  columns?: number;
  write(text: string): void;
  close?(): void;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  return h > 0 ? `${h}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}` : `${pad2(Math.floor(s / 60))}:${pad2(s % 60)}`;
}

/** "[chaos crash] 01:23 | 2.4 ops/s | 187 ops, 12 errors | fault: crash galera-3". */
export function formatProgress(label: string, s: ProgressState): string {
  return `[${label}] ${formatElapsed(s.elapsedMs)} | ${s.opsPerSec.toFixed(1)} ops/s | ${s.ops} ops, ${s.errors} errors | fault: ${s.fault ?? 'none'}`;
}

export class ProgressLine {
  private lastWrite = -Infinity;
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly sink: ProgressSink | undefined,
    private readonly options: { minIntervalMs?: number; now?: () => number } = {},
  ) {}

  get enabled(): boolean {
    return this.sink !== undefined;
  }

  /** Draws the state unless the last draw was less than a second ago; returns whether it drew. */
  update(state: ProgressState): boolean {
    if (!this.sink) return false;
    const now = (this.options.now ?? performance.now.bind(performance))();
    if (now - this.lastWrite < (this.options.minIntervalMs ?? 1_000)) return false;
    this.lastWrite = now;
    this.draw(formatProgress(this.label, state));
    return true;
  }

  /** Ends the line: a terminal gets it erased (the reporter's output stays clean), a log gets the final state. */
  finish(state?: ProgressState): void {
    if (!this.sink) return;
    if (this.sink.tty) {
      if (this.drawn) this.sink.write('\r\x1b[2K');
    } else if (state) {
      this.sink.write(`${formatProgress(this.label, state)}\n`);
    }
    this.drawn = false;
    this.sink.close?.();
  }

  private draw(line: string): void {
    const sink = this.sink!;
    if (!sink.tty) {
      sink.write(`${line}\n`);
      return;
    }
    const width = Math.max(20, (sink.columns ?? 100) - 1);
    // Erase, draw, and leave the cursor at column 0 so other output overwrites rather than appends.
    sink.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}\r`);
    this.drawn = true;
  }
}

/**
 * The run's stderr when it is a terminal, else plain lines on this process's stderr when
 * KS_PROGRESS=1, else nothing. Inside a Playwright worker, stderr is a pipe to the runner: the
 * terminal is then the runner's own stderr, reached through /proc (Linux), and drawn on only if
 * it is a TTY.
 */
export function progressSink(env: NodeJS.ProcessEnv = process.env): ProgressSink | undefined {
  if (env.KS_PROGRESS === '0') return undefined;
  if (process.stderr.isTTY) {
    return { tty: true, columns: process.stderr.columns, write: (t) => void process.stderr.write(t) };
  }
  const terminal = runnerTerminal();
  if (terminal) return terminal;
  if (env.KS_PROGRESS === '1') return { tty: false, write: (t) => void process.stderr.write(t) };
  return undefined;
}

function runnerTerminal(): ProgressSink | undefined {
  if (process.env.TEST_WORKER_INDEX === undefined) return undefined;
  let fd: number | undefined;
  try {
    // Look before opening: opening a regular file (a redirected log) for writing could clobber it.
    const target = readlinkSync(`/proc/${process.ppid}/fd/2`);
    if (!/^\/dev\/(pts\/\d+|tty\w*)$/.test(target)) return undefined;
    fd = openSync(target, 'a');
    if (!isatty(fd)) {
      closeSync(fd);
      return undefined;
    }
    const stream = new WriteStream(fd);
    return {
      tty: true,
      columns: stream.columns,
      write: (t) => void stream.write(t),
      close: () => stream.end(),
    };
  } catch {
    if (fd !== undefined) try { closeSync(fd); } catch { /* already closed */ }
    return undefined;
  }
}
