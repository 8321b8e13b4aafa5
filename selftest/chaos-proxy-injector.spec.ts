// Proxy-backed faults: layering over a baseline, restoring only what they changed, through an
// in-process proxy and through the HTTP control API; and the guard for non-loopback URLs.
import { test, expect } from '@playwright/test';
import { ChaosNotAllowedError, withFault } from '../chaos/fault.js';
import { proxyLatency, proxyLoss, proxyPartition } from '../chaos/injectors/proxy.js';
import { startControlServer, type ControlServer } from '../chaos/proxy/control-server.js';
import { NO_FAULTS } from '../chaos/proxy/proxy-faults.js';
import { TcpFaultProxy } from '../chaos/proxy/tcp-fault-proxy.js';

let proxy: TcpFaultProxy;
let control: ControlServer;
let controlUrl: string;

test.beforeEach(async () => {
  // The upstream is never dialled: no client connects in these tests.
  proxy = new TcpFaultProxy({ upstream: { host: '127.0.0.1', port: 9 }, name: 'galera1->galera2' });
  await proxy.start();
  control = await startControlServer([proxy], { host: '127.0.0.1', port: 0 });
  controlUrl = `http://127.0.0.1:${control.address.port}`;
});

test.afterEach(async () => {
  await control.close();
  await proxy.stop();
});

test('in-process: a partition over a WAN baseline heals back to the baseline', async () => {
  const wan = proxyLatency(proxy, { latencyMs: 50 });
  expect(wan.kind).toBe('latency');
  expect(wan.name).toBe('latency 50±0 ms both via galera1->galera2');
  await wan.inject();
  try {
    const cut = proxyPartition(proxy, { mode: 'reset' });
    await withFault(cut, 20, async () => {
      expect(proxy.faults).toMatchObject({ latencyMs: 50, partition: 'reset' });
    });
    expect(proxy.faults).toEqual({ ...NO_FAULTS, latencyMs: 50 });
  } finally {
    await wan.heal();
  }
  expect(proxy.faults).toEqual(NO_FAULTS);
});

test('through the control URL: loss is set and cleared remotely', async () => {
  const events: string[] = [];
  const lossy = proxyLoss(controlUrl, { loss: 0.3, lossRetransmitMs: 100, direction: 'upstream' });
  expect(lossy.name).toBe(`loss 0.3 upstream via ${controlUrl}`);
  await withFault(
    lossy,
    20,
    async () => {
      expect(proxy.faults).toMatchObject({ loss: 0.3, lossRetransmitMs: 100, direction: 'upstream' });
    },
    (event) => events.push(event.type),
  );
  expect(proxy.faults).toEqual(NO_FAULTS);
  expect(events).toEqual(['fault-start', 'fault-end']);
});

test('guard: a control URL off loopback is external', async () => {
  const saved = process.env.KS_ALLOW_EXTERNAL_CHAOS;
  try {
    delete process.env.KS_ALLOW_EXTERNAL_CHAOS;
    // Refused before any request is sent, so nothing leaves the machine.
    const remote = proxyPartition('http://proxy.staging.example:8474');
    await expect(remote.inject()).rejects.toBeInstanceOf(ChaosNotAllowedError);
    await remote.heal(); // nothing was changed, so nothing to restore
  } finally {
    if (saved === undefined) delete process.env.KS_ALLOW_EXTERNAL_CHAOS;
    else process.env.KS_ALLOW_EXTERNAL_CHAOS = saved;
  }
});
