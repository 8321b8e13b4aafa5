// The TCP fault proxy against a loopback echo server: latency accuracy, byte order, partitions,
// loss, and the HTTP control API (in-process and as a standalone process).
import { test, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ProxyControlClient } from '../chaos/proxy/control-client.js';
import { startControlServer } from '../chaos/proxy/control-server.js';
import { chunkDelay, NO_FAULTS, parseFaults, parseHostPort, type HostPort } from '../chaos/proxy/proxy-faults.js';
import { TcpFaultProxy } from '../chaos/proxy/tcp-fault-proxy.js';

/** Echoes everything back and notes when each newline-terminated message arrived. */
class EchoServer {
  readonly arrivals = new Map<string, number>();
  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer((socket) => {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.setNoDelay(true);
    socket.on('error', () => {});
    let pending = '';
    socket.on('data', (chunk) => {
      const now = performance.now();
      pending += chunk.toString('latin1');
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        this.arrivals.set(pending.slice(0, newline), now);
        pending = pending.slice(newline + 1);
      }
      socket.write(chunk);
    });
  });
  address!: HostPort;

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.address = { host: '127.0.0.1', port: (this.server.address() as net.AddressInfo).port };
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A client that collects echoed bytes and can wait for a given message to come back. */
class EchoClient {
  received = Buffer.alloc(0);
  closedWith: Error | 'end' | undefined;
  private readonly waiters: Array<() => void> = [];

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.notify();
    });
    socket.on('error', (err) => {
      this.closedWith = err;
      this.notify();
    });
    socket.on('close', () => {
      this.closedWith ??= 'end';
      this.notify();
    });
  }

  static async connect(address: HostPort): Promise<EchoClient> {
    const socket = net.connect(address.port, address.host);
    await once(socket, 'connect');
    return new EchoClient(socket);
  }

  /** Sends `id\n` and resolves with the round trip, once the echo is back. */
  async ping(id: string, timeoutMs = 5_000): Promise<{ sentAt: number; echoedAt: number }> {
    const sentAt = performance.now();
    const before = this.received.length;
    this.socket.write(`${id}\n`);
    await this.waitFor(() => this.received.subarray(before).includes(`${id}\n`), timeoutMs);
    return { sentAt, echoedAt: performance.now() };
  }

  async waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (this.closedWith) throw new Error(`connection closed: ${String(this.closedWith)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for echo');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private notify(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

interface LatencySample {
  upstreamMs: number;
  downstreamMs: number;
}

async function measureOneWay(client: EchoClient, echo: EchoServer, label: string, count: number): Promise<LatencySample[]> {
  const samples: LatencySample[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${label}-${i}`;
    const { sentAt, echoedAt } = await client.ping(id);
    const arrivedAt = echo.arrivals.get(id)!;
    samples.push({ upstreamMs: arrivedAt - sentAt, downstreamMs: echoedAt - arrivedAt });
  }
  return samples;
}

function summary(values: number[]): { min: number; median: number; p90: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (v: number): number => Math.round(v * 100) / 100;
  return { min: round(sorted[0]!), median: round(at(0.5)), p90: round(at(0.9)), max: round(sorted.at(-1)!) };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let echo: EchoServer;
let proxy: TcpFaultProxy;
let proxyAddress: HostPort;

test.beforeEach(async () => {
  echo = await new EchoServer().start();
  proxy = new TcpFaultProxy({ upstream: echo.address });
  proxyAddress = await proxy.start();
});

test.afterEach(async () => {
  await proxy.stop();
  await echo.stop();
});

test.describe('delay model', () => {
  test('jitter stays within ±jitter of the latency; loss charges doubling retransmit timeouts', () => {
    const faults = parseFaults({ latencyMs: 50, jitterMs: 10 });
    expect(chunkDelay(faults, 'upstream', () => 0).delayMs).toBe(40);
    expect(chunkDelay(faults, 'upstream', () => 0.5).delayMs).toBe(50);
    expect(chunkDelay(faults, 'upstream', () => 0.9999999).delayMs).toBeCloseTo(60, 3);

    // Two lost transmissions (random < loss twice), then one gets through: 200 + 400 ms extra.
    const rolls = [0.1, 0.1, 0.9];
    const lossy = parseFaults({ loss: 0.5 });
    expect(chunkDelay(lossy, 'downstream', () => rolls.shift()!)).toEqual({ delayMs: 600, losses: 2 });

    const oneWay = parseFaults({ latencyMs: 30, direction: 'upstream' });
    expect(chunkDelay(oneWay, 'upstream', Math.random).delayMs).toBe(30);
    expect(chunkDelay(oneWay, 'downstream', Math.random).delayMs).toBe(0);
  });

  test('rejects malformed fault settings', () => {
    expect(() => parseFaults({ loss: 1.5 })).toThrow(/loss/);
    expect(() => parseFaults({ latencyMs: -1 })).toThrow(/latencyMs/);
    expect(() => parseFaults({ partition: 'sometimes' })).toThrow(/partition/);
    expect(() => parseFaults({ latncyMs: 5 })).toThrow(/unknown fault fields: latncyMs/);
    expect(parseFaults({ partition: true }).partition).toBe('blackhole');
    expect(parseFaults({})).toEqual(NO_FAULTS);
    expect(parseHostPort('0.0.0.0:13306')).toEqual({ host: '0.0.0.0', port: 13306 });
    expect(parseHostPort('galera2:3306')).toEqual({ host: 'galera2', port: 3306 });
    expect(parseHostPort('[::1]:80')).toEqual({ host: '::1', port: 80 });
  });
});

test.describe('latency', () => {
  for (const latencyMs of [20, 50, 150]) {
    test(`adds ${latencyMs} ms one way in each direction, never less`, async () => {
      const client = await EchoClient.connect(proxyAddress);
      try {
        const baseline = await measureOneWay(client, echo, 'base', 10);
        proxy.setFaults({ latencyMs });
        const delayed = await measureOneWay(client, echo, `lat${latencyMs}`, latencyMs >= 150 ? 10 : 20);

        const baseUp = summary(baseline.map((s) => s.upstreamMs));
        const up = summary(delayed.map((s) => s.upstreamMs));
        const down = summary(delayed.map((s) => s.downstreamMs));
        const addedUp = summary(delayed.map((s) => s.upstreamMs - baseUp.median));
        console.log(
          `[proxy latency ${latencyMs} ms] baseline one-way ${JSON.stringify(baseUp)}; ` +
            `upstream ${JSON.stringify(up)}; downstream ${JSON.stringify(down)}; ` +
            `added over baseline median ${JSON.stringify(addedUp)}`,
        );
        test.info().annotations.push({
          type: 'measured',
          description: `latency ${latencyMs} ms: upstream ${JSON.stringify(up)}, downstream ${JSON.stringify(down)}`,
        });

        // Never short of the configured delay, in either direction.
        expect(up.min).toBeGreaterThanOrEqual(latencyMs);
        expect(down.min).toBeGreaterThanOrEqual(latencyMs);
        // And close to it: the timer overshoots by about a millisecond. No bound on the tail: a
        // single sample lags by hundreds of ms when the 2-core machine is busy (measured 463 ms for
        // 150 ms under a parallel cluster run), which says nothing about the proxy; a delay
        // applied twice or per chunk still shows in the median.
        expect(up.median).toBeLessThan(latencyMs + 8);
        expect(down.median).toBeLessThan(latencyMs + 8);
      } finally {
        client.close();
      }
    });
  }

  test('direction scopes the delay to one way', async () => {
    const client = await EchoClient.connect(proxyAddress);
    try {
      proxy.setFaults({ latencyMs: 40, direction: 'downstream' });
      const samples = await measureOneWay(client, echo, 'down-only', 10);
      const up = summary(samples.map((s) => s.upstreamMs));
      const down = summary(samples.map((s) => s.downstreamMs));
      expect(up.median).toBeLessThan(5);
      expect(down.min).toBeGreaterThanOrEqual(40);
      expect(down.median).toBeLessThan(48);
    } finally {
      client.close();
    }
  });

  test('jitter spreads the delay but never reorders bytes', async () => {
    proxy.setFaults({ latencyMs: 20, jitterMs: 15 });
    const client = await EchoClient.connect(proxyAddress);
    try {
      // Many small writes (each one a chunk with its own random delay), then a large one.
      const sent: Buffer[] = [];
      for (let i = 0; i < 300; i++) {
        const piece = Buffer.from(`msg-${i};`);
        sent.push(piece);
        client.socket.write(piece);
        if (i % 20 === 0) await sleep(1);
      }
      const bulk = randomBytes(1024 * 1024);
      sent.push(bulk);
      client.socket.write(bulk);
      const expected = Buffer.concat(sent);
      await client.waitFor(() => client.received.length >= expected.length, 20_000);
      expect(client.received.length).toBe(expected.length);
      expect(client.received.equals(expected)).toBe(true);
      const stats = proxy.stats();
      expect(stats.bytesToUpstream).toBe(expected.length);
      expect(stats.bytesToClients).toBe(expected.length);
      expect(stats.bytesQueued).toBe(0);
    } finally {
      client.close();
    }
  });
});

test.describe('partition', () => {
  test('blackhole holds traffic on existing and new connections; heal delivers it', async () => {
    const existing = await EchoClient.connect(proxyAddress);
    try {
      await existing.ping('before');
      proxy.setFaults({ partition: 'blackhole' });

      existing.socket.write('during-existing\n');
      const fresh = await EchoClient.connect(proxyAddress); // accepted by the proxy, goes nowhere
      try {
        fresh.socket.write('during-fresh\n');
        await sleep(400);
        expect(echo.arrivals.has('during-existing')).toBe(false);
        expect(echo.arrivals.has('during-fresh')).toBe(false);
        expect(existing.received.toString()).toBe('before\n');
        expect(fresh.received.length).toBe(0);
        expect(proxy.stats().connectionsAwaitingUpstream).toBe(1);
        expect(existing.closedWith).toBeUndefined();

        const healedAt = performance.now();
        proxy.heal();
        await existing.waitFor(() => existing.received.toString() === 'before\nduring-existing\n', 2_000);
        await fresh.waitFor(() => fresh.received.toString() === 'during-fresh\n', 2_000);
        expect(echo.arrivals.get('during-existing')!).toBeGreaterThanOrEqual(healedAt);
        await existing.ping('after');
        await fresh.ping('after-fresh');
      } finally {
        fresh.close();
      }
    } finally {
      existing.close();
    }
  });

  test('reset mode resets existing connections and refuses new ones until healed', async () => {
    const existing = await EchoClient.connect(proxyAddress);
    await existing.ping('before');
    proxy.setFaults({ partition: 'reset' });
    await existing.waitFor(() => existing.closedWith !== undefined, 2_000).catch(() => {});
    expect(existing.closedWith).toBeInstanceOf(Error);
    expect((existing.closedWith as NodeJS.ErrnoException).code).toBe('ECONNRESET');

    // The kernel may finish the handshake before the proxy resets it, or not: either way, no echo.
    const during = EchoClient.connect(proxyAddress).then((client) => client.ping('during', 2_000));
    await expect(during).rejects.toThrow(/ECONNRESET|closed/);
    expect(proxy.stats().connectionsReset).toBeGreaterThanOrEqual(2);

    proxy.heal();
    const after = await EchoClient.connect(proxyAddress);
    try {
      await after.ping('after');
    } finally {
      after.close();
    }
  });

  test('loss = 1 behaves as a partition: nothing passes until healed', async () => {
    const client = await EchoClient.connect(proxyAddress);
    try {
      await client.ping('before');
      proxy.setFaults({ loss: 1 });
      client.socket.write('lost\n');
      await sleep(400);
      expect(echo.arrivals.has('lost')).toBe(false);
      expect(client.received.toString()).toBe('before\n');
      proxy.heal();
      await client.waitFor(() => client.received.toString() === 'before\nlost\n', 2_000);
      await client.ping('after');
    } finally {
      client.close();
    }
  });

  test('partial loss delays by retransmit timeouts but delivers everything in order', async () => {
    await proxy.stop();
    // A fixed sequence of rolls makes the number of "lost" transmissions reproducible.
    let seed = 42;
    const seeded = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    proxy = new TcpFaultProxy({ upstream: echo.address, random: seeded });
    const address = await proxy.start();
    const client = await EchoClient.connect(address);
    try {
      proxy.setFaults({ loss: 0.2, lossRetransmitMs: 50 });
      const rtts: number[] = [];
      for (let i = 0; i < 20; i++) {
        const { sentAt, echoedAt } = await client.ping(`lossy-${i}`);
        rtts.push(echoedAt - sentAt);
      }
      const expected = Array.from({ length: 20 }, (_, i) => `lossy-${i}\n`).join('');
      expect(client.received.toString()).toBe(expected);
      const losses = proxy.stats().chunkLosses;
      expect(losses).toBeGreaterThan(0);
      // Each loss costs at least one retransmit timeout somewhere in the round trips.
      expect(rtts.filter((rtt) => rtt >= 50).length).toBeGreaterThan(0);
      console.log(`[proxy loss 0.2] ${losses} lost transmissions over 40 chunks; RTT ${JSON.stringify(summary(rtts))}`);
    } finally {
      client.close();
    }
  });
});

test.describe('control API', () => {
  test('in-process: POST/GET/DELETE /faults and GET /stats', async () => {
    const control = await startControlServer([proxy], { host: '127.0.0.1', port: 0 });
    try {
      const api = new ProxyControlClient(`http://127.0.0.1:${control.address.port}`);
      expect(await api.getFaults()).toEqual(NO_FAULTS);

      const set = await api.setFaults({ latencyMs: 30, jitterMs: 0, loss: 0, partition: false });
      expect(set.latencyMs).toBe(30);
      expect(proxy.faults.latencyMs).toBe(30);

      const client = await EchoClient.connect(proxyAddress);
      try {
        const [sample] = await measureOneWay(client, echo, 'api', 1);
        expect(sample!.upstreamMs).toBeGreaterThanOrEqual(30);
      } finally {
        client.close();
      }

      const stats = await api.stats();
      expect(stats.faults.latencyMs).toBe(30);
      expect(stats.routes).toHaveLength(1);
      expect(stats.routes[0]!.connectionsAccepted).toBe(1);
      expect(stats.routes[0]!.bytesToUpstream).toBe('api-0\n'.length);

      await expect(api.setFaults({ loss: 2 })).rejects.toThrow(/HTTP 400.*loss/);
      const bad = await fetch(`http://127.0.0.1:${control.address.port}/faults`, { method: 'POST', body: '{nope' });
      expect(bad.status).toBe(400);
      expect((await fetch(`http://127.0.0.1:${control.address.port}/nothing`)).status).toBe(404);

      expect(await api.clearFaults()).toEqual(NO_FAULTS);
      expect(proxy.faults).toEqual(NO_FAULTS);
    } finally {
      await control.close();
    }
  });

  test('standalone process: CLI routes, control API, SIGTERM', async () => {
    const mainPath = fileURLToPath(new URL('../chaos/proxy/main.ts', import.meta.url));
    const child: ChildProcess = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        mainPath,
        '--listen',
        '127.0.0.1:0',
        '--upstream',
        `127.0.0.1:${echo.address.port}`,
        '--control',
        '127.0.0.1:0',
        '--faults',
        '{"latencyMs":10}',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    try {
      const lines = createInterface({ input: child.stdout! });
      const [line] = (await Promise.race([
        once(lines, 'line'),
        sleep(20_000).then(() => {
          throw new Error(`proxy process did not report ready: ${stderr}`);
        }),
      ])) as [string];
      const ready = JSON.parse(line) as { routes: Array<{ listen: string }>; control: string };
      const listen = parseHostPort(ready.routes[0]!.listen);
      const api = new ProxyControlClient(`http://${ready.control}`);
      expect((await api.getFaults()).latencyMs).toBe(10);

      await api.setFaults({ latencyMs: 50 });
      const client = await EchoClient.connect(listen);
      try {
        const samples = await measureOneWay(client, echo, 'cli', 5);
        const up = summary(samples.map((s) => s.upstreamMs));
        console.log(`[proxy process latency 50 ms] upstream ${JSON.stringify(up)}`);
        expect(up.min).toBeGreaterThanOrEqual(50);
        expect(up.median).toBeLessThan(60);

        await api.setFaults({ partition: 'blackhole' });
        client.socket.write('held\n');
        await sleep(300);
        expect(echo.arrivals.has('held')).toBe(false);
        await api.clearFaults();
        await client.waitFor(() => client.received.toString().endsWith('held\n'), 2_000);
        expect((await api.stats()).routes[0]!.bytesToUpstream).toBeGreaterThan(0);
      } finally {
        client.close();
      }

      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
