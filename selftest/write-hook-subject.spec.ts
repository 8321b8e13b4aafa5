import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { closeAllPools, KeystoneHttp, type AnsweredWrite } from '../lib/keystone/http.js';

// The rbac project reads back only writes marked as the test's subject (fixtures/test.ts): the
// mark must reach the write hook for the judged call, and only for it.
test('a write sent with subject: true reaches write hooks marked as the subject; others do not', async () => {
  const server = createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(201, { 'content-type': 'application/json' }); res.end('{"project":{"id":"p1"}}'); }); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const http = new KeystoneHttp(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v3`, 5_000);
    const seen: AnsweredWrite[] = [];
    const stop = http.onWrite(async (w) => { seen.push(w); });
    await http.request('POST', '/v3/projects', { token: 't', body: { project: { name: 'setup' } } });
    await http.request('POST', '/v3/projects', { token: 't', body: { project: { name: 'cell' } }, subject: true });
    stop();
    expect(seen.map((w) => w.subject)).toEqual([false, true]);
  } finally {
    await closeAllPools();
    server.close();
  }
});
