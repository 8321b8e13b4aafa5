// A user-space TCP relay that adds latency, jitter, loss and partitions at runtime, because this
// kernel has no tc netem. Only node: built-ins, so the same file runs inside a container.
import net from 'node:net';
import {
  NO_FAULTS,
  blocksHandshake,
  chunkDelay,
  formatHostPort,
  isBlackholed,
  parseFaults,
  type FlowDirection,
  type HostPort,
  type ProxyFaults,
} from './proxy-faults.js';

export interface TcpFaultProxyOptions {
  upstream: HostPort;
  /** Defaults to 127.0.0.1 on a free port. */
  listen?: HostPort;
  name?: string;
  /** Injected for deterministic tests of jitter and loss. */
  random?: () => number;
}

export interface ProxyStats {
  name: string;
  listen: string;
  upstream: string;
  connectionsAccepted: number;
  connectionsActive: number;
  /** Accepted while the upstream direction was cut off; connected once it heals. */
  connectionsAwaitingUpstream: number;
  connectionsReset: number;
  upstreamConnectFailures: number;
  bytesFromClients: number;
  bytesToUpstream: number;
  bytesFromUpstream: number;
  bytesToClients: number;
  /** Received but not yet forwarded: in flight under latency, or held by a partition. */
  bytesQueued: number;
  /** Lost transmissions charged a retransmission timeout (see chunkDelay). */
  chunkLosses: number;
  faults: ProxyFaults;
}

/** Per-direction buffering bound before the sender is paused, so a blackhole cannot eat memory. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;
const LOW_WATER_BYTES = 1024 * 1024;

/** What a pipe needs from its proxy: the current faults and somewhere to count. */
interface PipeContext {
  readonly faults: ProxyFaults;
  readonly random: () => number;
  count(flow: FlowDirection, what: 'received' | 'forwarded' | 'losses', amount: number): void;
}

/**
 * One direction of one connection: an in-order queue of chunks, each released at its due time.
 * Due times never decrease, so latency and jitter never reorder bytes (TCP would not either).
 */
class DelayPipe {
  private readonly queue: Array<{ chunk: Buffer; due: number }> = [];
  private queuedBytes = 0;
  private lastDue = 0;
  private timer: NodeJS.Timeout | undefined;
  private destination: net.Socket | undefined;
  private waitingForDrain = false;
  private sourceEnded = false;
  private finished = false;

  constructor(
    private readonly flow: FlowDirection,
    private readonly source: net.Socket,
    private readonly context: PipeContext,
  ) {
    source.on('data', (chunk: Buffer) => this.push(chunk));
    source.on('end', () => {
      this.sourceEnded = true;
      this.pump();
    });
  }

  get bytesQueued(): number {
    return this.queuedBytes;
  }

  attach(destination: net.Socket): void {
    this.destination = destination;
    this.pump();
  }

  /** Drops whatever is queued: its destination is gone. */
  discard(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.finished = true;
  }

  /** Forwards every chunk that is due, then sleeps until the next one is. */
  pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const destination = this.destination;
    if (!destination || destination.destroyed || this.waitingForDrain || this.finished) return;
    // Held, not dropped: after a short cut TCP would deliver it all, and so do we on heal.
    if (isBlackholed(this.context.faults, this.flow)) return;

    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0]!.due <= now) {
      const { chunk } = this.queue.shift()!;
      this.queuedBytes -= chunk.length;
      this.context.count(this.flow, 'forwarded', chunk.length);
      if (!destination.write(chunk)) {
        this.waitingForDrain = true;
        destination.once('drain', () => {
          this.waitingForDrain = false;
          this.pump();
        });
        break;
      }
    }
    if (this.queuedBytes < LOW_WATER_BYTES && this.source.isPaused()) this.source.resume();
    if (this.waitingForDrain) return;
    if (this.queue.length > 0) {
      // Timers may fire a little early; pump() re-checks, so added latency is never short.
      const wait = Math.max(1, Math.ceil(this.queue[0]!.due - now));
      this.timer = setTimeout(() => this.pump(), wait);
    } else if (this.sourceEnded) {
      this.finished = true;
      destination.end();
    }
  }

  private push(chunk: Buffer): void {
    const faults = this.context.faults;
    this.context.count(this.flow, 'received', chunk.length);
    const { delayMs, losses } = chunkDelay(faults, this.flow, this.context.random);
    if (losses > 0) this.context.count(this.flow, 'losses', losses);
    const due = Math.max(performance.now() + delayMs, this.lastDue);
    this.lastDue = due;
    this.queue.push({ chunk, due });
    this.queuedBytes += chunk.length;
    if (this.queuedBytes >= HIGH_WATER_BYTES) this.source.pause();
    this.pump();
  }
}

class ProxiedConnection {
  readonly toUpstream: DelayPipe;
  toClient: DelayPipe | undefined;
  upstream: net.Socket | undefined;

  constructor(
    readonly client: net.Socket,
    context: PipeContext,
  ) {
    this.toUpstream = new DelayPipe('upstream', client, context);
  }

  get bytesQueued(): number {
    return this.toUpstream.bytesQueued + (this.toClient?.bytesQueued ?? 0);
  }

  pump(): void {
    this.toUpstream.pump();
    this.toClient?.pump();
  }

  /** Both ends get an RST, as when a middlebox or a dead peer resets the connection. */
  reset(): void {
    this.toUpstream.discard();
    this.toClient?.discard();
    if (!this.client.destroyed) this.client.resetAndDestroy();
    if (this.upstream && !this.upstream.destroyed) this.upstream.resetAndDestroy();
  }
}

export class TcpFaultProxy {
  readonly name: string;
  private readonly upstream: HostPort;
  private readonly listenOn: HostPort;
  private readonly random: () => number;
  private readonly server: net.Server;
  private readonly connections = new Set<ProxiedConnection>();
  private readonly awaitingUpstream = new Set<ProxiedConnection>();
  private current: ProxyFaults = { ...NO_FAULTS };
  private bound: HostPort | undefined;
  private readonly counters = {
    connectionsAccepted: 0,
    connectionsReset: 0,
    upstreamConnectFailures: 0,
    bytesFromClients: 0,
    bytesToUpstream: 0,
    bytesFromUpstream: 0,
    bytesToClients: 0,
    chunkLosses: 0,
  };
  private readonly context: PipeContext;

  constructor(options: TcpFaultProxyOptions) {
    this.upstream = options.upstream;
    this.listenOn = options.listen ?? { host: '127.0.0.1', port: 0 };
    this.random = options.random ?? Math.random;
    this.name = options.name ?? `${formatHostPort(this.listenOn)}->${formatHostPort(this.upstream)}`;
    // Half-open on both sides, so one side's FIN is relayed only after its delayed bytes.
    this.server = net.createServer({ allowHalfOpen: true }, (client) => this.accept(client));
    const proxy = this;
    this.context = {
      get faults() {
        return proxy.current;
      },
      random: this.random,
      count: (flow, what, amount) => this.count(flow, what, amount),
    };
  }

  async start(): Promise<HostPort> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.listenOn.host, port: this.listenOn.port }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as net.AddressInfo;
    this.bound = { host: address.address, port: address.port };
    return this.bound;
  }

  /** The bound address; only after start(). */
  address(): HostPort {
    if (!this.bound) throw new Error(`proxy ${this.name} is not started`);
    return this.bound;
  }

  get faults(): ProxyFaults {
    return { ...this.current };
  }

  /** Replaces the fault settings; fields left out mean "no fault". Takes effect at once. */
  setFaults(faults: Partial<ProxyFaults>): ProxyFaults {
    this.current = parseFaults(faults);
    if (this.current.partition === 'reset') {
      for (const connection of this.connections) {
        connection.reset();
        this.counters.connectionsReset++;
      }
    }
    if (!blocksHandshake(this.current)) {
      for (const connection of [...this.awaitingUpstream]) this.connectUpstream(connection);
    }
    for (const connection of this.connections) connection.pump();
    return this.faults;
  }

  heal(): ProxyFaults {
    return this.setFaults({});
  }

  stats(): ProxyStats {
    let bytesQueued = 0;
    for (const connection of this.connections) bytesQueued += connection.bytesQueued;
    return {
      name: this.name,
      listen: this.bound ? formatHostPort(this.bound) : formatHostPort(this.listenOn),
      upstream: formatHostPort(this.upstream),
      ...this.counters,
      connectionsActive: this.connections.size,
      connectionsAwaitingUpstream: this.awaitingUpstream.size,
      bytesQueued,
      faults: this.faults,
    };
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.connections) {
      connection.toUpstream.discard();
      connection.toClient?.discard();
      connection.client.destroy();
      connection.upstream?.destroy();
    }
    this.connections.clear();
    this.awaitingUpstream.clear();
    if (this.server.listening) await closed;
  }

  private accept(client: net.Socket): void {
    this.counters.connectionsAccepted++;
    client.on('error', () => {});
    if (this.current.partition === 'reset') {
      this.counters.connectionsReset++;
      client.resetAndDestroy();
      return;
    }
    client.setNoDelay(true);
    const connection = new ProxiedConnection(client, this.context);
    this.connections.add(connection);
    client.on('close', (hadError) => {
      this.awaitingUpstream.delete(connection);
      connection.toClient?.discard();
      if (hadError) connection.reset();
      this.forgetWhenClosed(connection);
    });
    // A SYN would not cross a cut link either: the upstream connection waits for the heal.
    if (blocksHandshake(this.current)) this.awaitingUpstream.add(connection);
    else this.connectUpstream(connection);
  }

  private connectUpstream(connection: ProxiedConnection): void {
    this.awaitingUpstream.delete(connection);
    if (connection.client.destroyed) return;
    const upstream = net.connect({ host: this.upstream.host, port: this.upstream.port, allowHalfOpen: true });
    connection.upstream = upstream;
    upstream.setNoDelay(true);
    connection.toClient = new DelayPipe('downstream', upstream, this.context);
    connection.toClient.attach(connection.client);
    let connected = false;
    upstream.on('connect', () => {
      connected = true;
      connection.toUpstream.attach(upstream);
    });
    upstream.on('error', () => {
      // The client sees what it would see without the proxy: a reset instead of a refused SYN.
      if (!connected) this.counters.upstreamConnectFailures++;
    });
    upstream.on('close', (hadError) => {
      connection.toUpstream.discard();
      if (hadError || !connected) connection.reset();
      this.forgetWhenClosed(connection);
    });
  }

  private forgetWhenClosed(connection: ProxiedConnection): void {
    const upstreamDone = !connection.upstream || connection.upstream.destroyed;
    if (connection.client.destroyed && upstreamDone) this.connections.delete(connection);
  }

  private count(flow: FlowDirection, what: 'received' | 'forwarded' | 'losses', amount: number): void {
    if (what === 'losses') this.counters.chunkLosses += amount;
    else if (flow === 'upstream') {
      if (what === 'received') this.counters.bytesFromClients += amount;
      else this.counters.bytesToUpstream += amount;
    } else if (what === 'received') this.counters.bytesFromUpstream += amount;
    else this.counters.bytesToClients += amount;
  }
}
