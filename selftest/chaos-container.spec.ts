// Container injectors against a real container on the local engine: state after kill/restart,
// pause/unpause and network disconnect/reconnect, as the runtime client reports it.
import { test, expect } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { GenericContainer, ImageName, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { ChaosNotAllowedError, withFault, type FaultEvent } from '../chaos/fault.js';
import { crashContainer, freezeContainer, partitionContainer } from '../chaos/injectors/container.js';
import { ownershipLabels } from '../lib/cluster/ownership.js';

// The reaper image cannot be pulled here; every test removes what it started in a finally.
process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';

const IMAGE = 'debian:bookworm';
const neverPull = { shouldPull: () => false };

async function inspect(id: string) {
  const client = await getContainerRuntimeClient();
  return client.container.inspect(client.container.getById(id));
}

/** Starts `sleep 300` from the local image (never pulled), runs `body`, always removes it. */
async function withSleeper(
  body: (container: StartedTestContainer, networkName: string) => Promise<void>,
): Promise<void> {
  const client = await getContainerRuntimeClient();
  // testcontainers pulls a missing image even with a never-pull policy, so check first.
  if (!(await client.image.exists(ImageName.fromString(IMAGE)))) {
    throw new Error(`${IMAGE} is not in the local engine; import it (scripts/setup-base-image.sh), never pull`);
  }
  // Labelled as the suite labels what it starts: the injectors' guard lets them act, and the
  // suite's orphan sweep removes them should this process die before its finally.
  const runId = `chaos-selftest-${randomBytes(4).toString('hex')}`;
  const labels = ownershipLabels(runId);
  const networkName = runId;
  const network = await client.network.create({ Name: networkName, Labels: labels });
  let container: StartedTestContainer | undefined;
  try {
    container = await new GenericContainer(IMAGE)
      .withPullPolicy(neverPull)
      .withLabels(labels)
      .withCommand(['sleep', '300'])
      .withNetworkMode(networkName)
      .withNetworkAliases('victim')
      .withStartupTimeout(30_000)
      .start();
    await body(container, networkName);
  } finally {
    if (container) {
      const raw = client.container.getById(container.getId());
      await raw.remove({ force: true }).catch(() => {});
    }
    await client.network.remove(network).catch(() => {});
  }
}

test.describe.configure({ timeout: 90_000 });

test('crash: kill -9 stops the container; heal runs the restart hook and it runs again', async () => {
  await withSleeper(async (container) => {
    const events: FaultEvent[] = [];
    let hookCalls = 0;
    const fault = crashContainer(container.getId(), {
      label: 'sleeper',
      restart: async ({ start, containerId }) => {
        hookCalls++;
        expect(containerId).toBe(container.getId());
        // Where Galera would run --wsrep-recover first, the sleeper just starts.
        await start();
      },
    });
    expect(fault.name).toBe('crash sleeper');

    await withFault(
      fault,
      5_000,
      async () => {
        const during = await inspect(container.getId());
        expect(during.State.Running).toBe(false);
        expect(during.State.ExitCode).toBe(137);
      },
      (event) => events.push(event),
    );

    const after = await inspect(container.getId());
    expect(after.State.Running).toBe(true);
    expect(hookCalls).toBe(1);
    expect(events.map((e) => e.type)).toEqual(['fault-start', 'fault-end']);
    expect(events[1]!.time).toBeGreaterThan(events[0]!.time);
    expect(events[0]!.name).toBe('crash sleeper');
  });
});

test('freeze: pause then unpause', async () => {
  await withSleeper(async (container) => {
    const fault = freezeContainer(container.getId());
    await fault.inject();
    try {
      const frozen = await inspect(container.getId());
      expect(frozen.State.Paused).toBe(true);
      expect(frozen.State.Status).toBe('paused');
    } finally {
      await fault.heal();
    }
    const thawed = await inspect(container.getId());
    expect(thawed.State.Paused).toBe(false);
    expect(thawed.State.Running).toBe(true);
    // Healing twice is harmless (withFault may retry a heal).
    await fault.heal();
  });
});

test('partition: disconnect from the suite network, reconnect with the same alias', async () => {
  await withSleeper(async (container, networkName) => {
    const before = await inspect(container.getId());
    expect(before.NetworkSettings.Networks[networkName]).toBeDefined();

    const fault = partitionContainer(container.getId(), networkName, { label: 'sleeper' });
    expect(fault.name).toBe(`partition sleeper from ${networkName}`);
    await withFault(fault, 5_000, async () => {
      const cut = await inspect(container.getId());
      expect(cut.NetworkSettings.Networks[networkName]).toBeUndefined();
      expect(cut.State.Running).toBe(true);
    });

    const healed = await inspect(container.getId());
    const endpoint = healed.NetworkSettings.Networks[networkName];
    expect(endpoint).toBeDefined();
    expect(endpoint!.Aliases).toContain('victim');
    expect(endpoint!.IPAddress).not.toBe('');
  });
});

test('guard: refuses a container the suite did not label, unless KS_ALLOW_EXTERNAL_CHAOS=1', async () => {
  const client = await getContainerRuntimeClient();
  // Created straight through the engine without the suite's label: "someone else's".
  const foreign = await client.container.dockerode.createContainer({
    Image: IMAGE,
    Cmd: ['sleep', '300'],
    HostConfig: { NetworkMode: 'none' },
  });
  const saved = process.env.KS_ALLOW_EXTERNAL_CHAOS;
  try {
    await foreign.start();
    delete process.env.KS_ALLOW_EXTERNAL_CHAOS;
    await expect(crashContainer(foreign.id).inject()).rejects.toBeInstanceOf(ChaosNotAllowedError);
    expect((await inspect(foreign.id)).State.Running).toBe(true);

    process.env.KS_ALLOW_EXTERNAL_CHAOS = '1';
    const fault = freezeContainer(foreign.id);
    await fault.inject();
    expect((await inspect(foreign.id)).State.Paused).toBe(true);
    await fault.heal();
    expect((await inspect(foreign.id)).State.Paused).toBe(false);
  } finally {
    if (saved === undefined) delete process.env.KS_ALLOW_EXTERNAL_CHAOS;
    else process.env.KS_ALLOW_EXTERNAL_CHAOS = saved;
    await foreign.remove({ force: true }).catch(() => {});
  }
});
