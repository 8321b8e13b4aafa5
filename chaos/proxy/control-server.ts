// The proxy's HTTP control API, so a proxy running in a container can be steered from the
// host: POST /faults (replace), DELETE /faults (heal), GET /faults, GET /stats.
// Every route the process relays shares one fault setting: together they model one link.
import http from 'node:http';
import type net from 'node:net';
import { InvalidFaultsError, parseFaults, type HostPort, type ProxyFaults } from './proxy-faults.js';
import type { ProxyStats, TcpFaultProxy } from './tcp-fault-proxy.js';

export interface ControlStats {
  faults: ProxyFaults;
  routes: ProxyStats[];
}

export interface ControlServer {
  address: HostPort;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

export async function startControlServer(proxies: TcpFaultProxy[], listen: HostPort): Promise<ControlServer> {
  if (proxies.length === 0) throw new Error('control server needs at least one proxy');
  const currentFaults = (): ProxyFaults => proxies[0]!.faults;
  const applyFaults = (faults: ProxyFaults): ProxyFaults => {
    for (const proxy of proxies) proxy.setFaults(faults);
    return currentFaults();
  };

  const server = http.createServer((req, res) => {
    handle(req)
      .then(({ status, body }) => reply(res, status, body))
      .catch((err: unknown) => {
        const status = err instanceof InvalidFaultsError || err instanceof SyntaxError ? 400 : 500;
        reply(res, status, { error: err instanceof Error ? err.message : String(err) });
      });
  });

  async function handle(req: http.IncomingMessage): Promise<{ status: number; body: unknown }> {
    const path = new URL(req.url ?? '/', 'http://control').pathname;
    const route = `${req.method} ${path}`;
    switch (route) {
      case 'GET /faults':
        return { status: 200, body: currentFaults() };
      case 'POST /faults':
      case 'PUT /faults':
        return { status: 200, body: applyFaults(parseFaults(JSON.parse(await readBody(req)))) };
      case 'DELETE /faults':
        return { status: 200, body: applyFaults(parseFaults({})) };
      case 'GET /stats': {
        const stats: ControlStats = { faults: currentFaults(), routes: proxies.map((proxy) => proxy.stats()) };
        return { status: 200, body: stats };
      }
      case 'GET /healthz':
        return { status: 200, body: { ok: true } };
      default:
        return { status: 404, body: { error: `no route ${route}` } };
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: listen.host, port: listen.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as net.AddressInfo;
  return {
    address: { host: bound.address, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new InvalidFaultsError('request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.trim() === '' ? '{}' : text;
}
