// The fault settings a TCP fault proxy understands, their validation, and the per-chunk delay
// model. Pure and dependency-free so the proxy can run in a container without node_modules.

/** blackhole: accept and hold everything (TCP would keep retransmitting); reset: RST every connection. */
export type PartitionMode = 'blackhole' | 'reset';

/** Which way latency, jitter and loss apply: toward the upstream, back to the client, or both. */
export type FaultDirection = 'both' | 'upstream' | 'downstream';

export type FlowDirection = Exclude<FaultDirection, 'both'>;

export interface ProxyFaults {
  /** One-way delay added to each direction it applies to (RTT grows by twice this with 'both'). */
  latencyMs: number;
  /** Uniform spread of ±jitterMs around latencyMs; order is still preserved, as TCP would. */
  jitterMs: number;
  /** Probability that a transmission of a chunk is lost; 1 behaves as a partition. */
  loss: number;
  /** First retransmission timeout charged for a lost chunk; doubles per further loss (Linux RTO min is 200 ms). */
  lossRetransmitMs: number;
  partition: false | PartitionMode;
  /** Scopes latency, jitter, loss and a blackhole partition (a one-way cut); a reset cuts both ways. */
  direction: FaultDirection;
}

export const NO_FAULTS: Readonly<ProxyFaults> = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  loss: 0,
  lossRetransmitMs: 200,
  partition: false,
  direction: 'both',
});

/** Linux caps the retransmission timeout at 120 s; beyond that a real stack gives up anyway. */
const MAX_RETRANSMIT_MS = 120_000;

export class InvalidFaultsError extends Error {
  override readonly name = 'InvalidFaultsError';
}

/** Validates settings from an untrusted source (HTTP body, CLI) and fills unset fields with "no fault". */
export function parseFaults(input: unknown): ProxyFaults {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidFaultsError('faults must be a JSON object');
  }
  const raw = input as Record<string, unknown>;
  const known = new Set(Object.keys(NO_FAULTS));
  const unknown = Object.keys(raw).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new InvalidFaultsError(`unknown fault fields: ${unknown.join(', ')}`);

  const faults: ProxyFaults = { ...NO_FAULTS };
  faults.latencyMs = numberIn(raw, 'latencyMs', 0, 3_600_000) ?? faults.latencyMs;
  faults.jitterMs = numberIn(raw, 'jitterMs', 0, 3_600_000) ?? faults.jitterMs;
  faults.loss = numberIn(raw, 'loss', 0, 1) ?? faults.loss;
  faults.lossRetransmitMs = numberIn(raw, 'lossRetransmitMs', 1, MAX_RETRANSMIT_MS) ?? faults.lossRetransmitMs;
  if (raw.partition !== undefined) {
    // `true` is accepted as the common case, a blackhole.
    if (raw.partition === true) faults.partition = 'blackhole';
    else if (raw.partition === false || raw.partition === 'blackhole' || raw.partition === 'reset') {
      faults.partition = raw.partition;
    } else throw new InvalidFaultsError(`partition must be false, true, 'blackhole' or 'reset'`);
  }
  if (raw.direction !== undefined) {
    if (raw.direction !== 'both' && raw.direction !== 'upstream' && raw.direction !== 'downstream') {
      throw new InvalidFaultsError(`direction must be 'both', 'upstream' or 'downstream'`);
    }
    faults.direction = raw.direction;
  }
  return faults;
}

function numberIn(raw: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidFaultsError(`${key} must be a number in [${min}, ${max}]`);
  }
  return value;
}

export function appliesTo(faults: ProxyFaults, flow: FlowDirection): boolean {
  return faults.direction === 'both' || faults.direction === flow;
}

/** Nothing gets through this way: a partition (a reset one too), or certain loss. */
export function isBlackholed(faults: ProxyFaults, flow: FlowDirection): boolean {
  if (faults.partition === 'reset') return true;
  return (faults.partition === 'blackhole' || faults.loss >= 1) && appliesTo(faults, flow);
}

/** A new connection cannot be set up while either way is cut: the handshake needs both. */
export function blocksHandshake(faults: ProxyFaults): boolean {
  return isBlackholed(faults, 'upstream') || isBlackholed(faults, 'downstream');
}

export interface ChunkDelay {
  delayMs: number;
  /** Transmissions of this chunk that were "lost" before one got through. */
  losses: number;
}

/**
 * Delay for one chunk travelling `flow`. Loss is modelled as TCP sees it, not as a gap in the
 * stream: each lost transmission costs one retransmission timeout (doubling, like TCP's
 * backoff), and the caller's in-order queue turns that into head-of-line blocking.
 * Certain loss never gets through; callers treat it as a blackhole (see isBlackholed).
 * A chunk is one socket read (up to 64 KiB), not a packet: bulk transfers see fewer losses
 * than a packet-level netem at the same rate would cause.
 */
export function chunkDelay(faults: ProxyFaults, flow: FlowDirection, random: () => number): ChunkDelay {
  if (!appliesTo(faults, flow)) return { delayMs: 0, losses: 0 };
  let delayMs = faults.latencyMs;
  if (faults.jitterMs > 0) delayMs = Math.max(0, delayMs + (random() * 2 - 1) * faults.jitterMs);
  let losses = 0;
  if (faults.loss > 0 && faults.loss < 1) {
    let timeout = faults.lossRetransmitMs;
    while (random() < faults.loss && timeout <= MAX_RETRANSMIT_MS) {
      delayMs += timeout;
      timeout *= 2;
      losses++;
    }
  }
  return { delayMs, losses };
}

export interface HostPort {
  host: string;
  port: number;
}

/** Parses "host:port", "[v6]:port" or ":port" (all interfaces). */
export function parseHostPort(text: string, defaultHost = '0.0.0.0'): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  if (!match) throw new RangeError(`expected host:port, got "${text}"`);
  const port = Number(match[3]);
  if (port > 65535) throw new RangeError(`port out of range in "${text}"`);
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? defaultHost : host, port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
