import { expect, test } from '@playwright/test';

test('CPU accounting for benches: /proc/stat busy time and cgroup v2 usage are read, idle and iowait left out', async () => {
  const { machineBusySeconds, parseCpuStatUsec, describeCpu } = await import('../lib/cluster/cpu-usage.js');
  // user nice system idle iowait irq softirq steal
  expect(machineBusySeconds('cpu  1000 100 500 9000 400 20 30 50 0 0\ncpu0 1 2 3\n')).toBe(17);
  expect(parseCpuStatUsec('usage_usec 2500000\nuser_usec 1\n')).toBe(2.5);
  expect(parseCpuStatUsec('nothing here')).toBeUndefined();
  const d = describeCpu({ at: 0, machine: 100, groups: { keystone: 10, database: 5 } }, { at: 10_000, machine: 118, groups: { keystone: 25, database: 6 } }, 2);
  expect(d.cores).toEqual({ keystone: 1.5, database: 0.1, other: expect.closeTo(0.2, 5), machine: 1.8 });
  expect(d.text).toContain('keystone 1.50 cores (75%)');
  // A group whose cgroup was not found is unknown, never 0.
  expect(describeCpu({ at: 0, machine: 0, groups: { keystone: undefined } }, { at: 1000, machine: 1, groups: { keystone: undefined } }, 2).cores.keystone).toBeUndefined();
});
