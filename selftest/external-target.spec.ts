import { createServer, type Server } from 'node:net';
import { expect, test } from '@playwright/test';
import { connectExternal } from '../lib/cluster/external.js';
import { classifyTransportError } from '../lib/keystone/errors.js';
import { KeystoneHttp } from '../lib/keystone/http.js';
import { KeystoneTransportError } from '../lib/keystone/errors.js';

test('a dead external URL fails in under 10 s with one clear line', async () => {
  const started = Date.now();
  const err = await connectExternal({ OS_AUTH_URL: 'http://127.0.0.1:9/v3', OS_USERNAME: 'admin', OS_PASSWORD: 'x', OS_PROJECT_NAME: 'admin' }).catch((e: Error) => e);
  const elapsed = Date.now() - started;
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toMatch(/127\.0\.0\.1:9.*not ready.*GET \/v3 never answered 200.*ECONNREFUSED/s);
  expect(elapsed).toBeLessThan(10_000);
});

test('missing OS_* variables are named', async () => {
  await expect(connectExternal({ OS_AUTH_URL: 'http://127.0.0.1:9/v3' })).rejects.toThrow(/OS_USERNAME, OS_PASSWORD/);
  await expect(connectExternal({ OS_CLOUD: 'nope', OS_CLIENT_CONFIG_FILE: '/nonexistent/clouds.yaml' })).rejects.toThrow(/OS_CLOUD=nope/);
});

/** A server that accepts the request and closes the socket without answering: what stock Keystone's uwsgi does on a leaked DB error. */
function silentServer(): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer((sock) => sock.once('data', () => sock.destroy()));
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

test('a connection closed without a response is its own error kind, never retried', async () => {
  const server = await silentServer();
  let accepted = 0;
  server.on('connection', () => accepted++);
  try {
    const port = (server.address() as { port: number }).port;
    const err = await new KeystoneHttp(`http://127.0.0.1:${port}`, 5_000).request('GET', '/v3').catch((e) => e);
    expect(err).toBeInstanceOf(KeystoneTransportError);
    expect((err as KeystoneTransportError).kind).toBe('no-response');
    expect((err as KeystoneTransportError).requestId).toMatch(/^req-[0-9a-f-]{36}$/);
    expect(accepted).toBe(1);
  } finally {
    server.close();
  }
});

test('a silent server times out as kind "timeout"; a refused port as "connect"', async () => {
  const server = createServer(() => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const port = (server.address() as { port: number }).port;
    const err = await new KeystoneHttp(`http://127.0.0.1:${port}`, 1_000).request('GET', '/v3').catch((e) => e);
    expect((err as KeystoneTransportError).kind).toBe('timeout');
  } finally {
    server.close();
  }
  const refused = await new KeystoneHttp('http://127.0.0.1:9', 1_000).request('GET', '/v3').catch((e) => e);
  expect((refused as KeystoneTransportError).kind).toBe('connect');
  expect(classifyTransportError({ code: 'UND_ERR_SOCKET' })).toBe('no-response');
});
