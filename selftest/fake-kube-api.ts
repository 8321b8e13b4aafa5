// A fake Kubernetes API server on loopback for the Chaos Mesh selftests: it records every
// request and keeps created custom objects by path, so DELETE then GET answers 404 like the real
// API once the finalizer has let go.
import { KubeConfig } from '@kubernetes/client-node';
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  body: unknown;
}

export class FakeApiServer {
  readonly requests: SeenRequest[] = [];
  private readonly objects = new Map<string, unknown>();
  private createsLeft = Infinity;
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  url = '';

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A kubeconfig whose current context is this server. */
  kubeConfig(): KubeConfig {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'tester', token: 'not-a-secret' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'tester' }],
      currentContext: 'fake',
    });
    return kubeConfig;
  }

  /** Creates beyond the first `n` answer 500, as an API server in trouble would. */
  failCreatesAfter(n: number): void {
    this.createsLeft = n;
  }

  /** Objects still present (created and not deleted). */
  liveObjects(): string[] {
    return [...this.objects.keys()];
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const path = new URL(req.url ?? '/', this.url).pathname;
    const method = req.method ?? '';
    this.requests.push({ method, path, body: text ? JSON.parse(text) : undefined });
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const notFound = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 };
    if (method === 'POST' && this.createsLeft-- <= 0) {
      send(500, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'InternalError', code: 500 });
    } else if (method === 'POST') {
      const body = JSON.parse(text) as { metadata: { name: string } };
      this.objects.set(`${path}/${body.metadata.name}`, body);
      send(201, body);
    } else if (method === 'GET') {
      const object = this.objects.get(path);
      if (object) send(200, object);
      else send(404, notFound);
    } else if (method === 'DELETE') {
      const object = this.objects.get(path);
      this.objects.delete(path);
      if (object) send(200, object);
      else send(404, notFound);
    } else send(405, { kind: 'Status', code: 405 });
  }
}
