// Container faults through the docker engine: crash (kill -9, then a caller-supplied restart),
// freeze (pause/unpause) and partition (disconnect from, then reconnect to, a docker network).
import { getContainerRuntimeClient, type ContainerRuntimeClient } from 'testcontainers';
import { LABEL as SUITE_LABEL } from '../../lib/cluster/ownership.js';
import { assertChaosAllowed, type Fault } from '../fault.js';

type Dockerode = ContainerRuntimeClient['container']['dockerode'];
type DockerContainer = ReturnType<Dockerode['getContainer']>;
type ContainerInspect = Awaited<ReturnType<DockerContainer['inspect']>>;
type DockerNetwork = ReturnType<Dockerode['getNetwork']>;
type NetworkInspect = Awaited<ReturnType<DockerNetwork['inspect']>>;

const STATE_TIMEOUT_MS = 15_000;

export interface RestartContext {
  containerId: string;
  dockerode: Dockerode;
  /** A plain `docker start`, for hooks that only need to prepare something first. */
  start(): Promise<void>;
}

/**
 * Brings a killed container back. Galera needs more than `docker start` (recover the position
 * with --wsrep-recover, then start with it), so the caller supplies this.
 */
export type RestartHook = (context: RestartContext) => Promise<void>;

export interface ContainerFaultOptions {
  /** Used in the fault's name; defaults to the reference given (a short id for long ids). */
  label?: string;
}

export function crashContainer(container: string, options: ContainerFaultOptions & { restart?: RestartHook } = {}): Fault {
  return {
    name: `crash ${displayName(container, options)}`,
    kind: 'crash',
    async inject() {
      const { dockerode, info } = await ownedContainer(container);
      await dockerode.getContainer(info.Id).kill({ signal: 'SIGKILL' });
      await waitForState(dockerode, info.Id, (state) => !state.Running, 'stopped after SIGKILL');
    },
    async heal() {
      const { dockerode, info } = await ownedContainer(container);
      if (info.State.Running) return; // never killed, or already brought back
      const start = async (): Promise<void> => {
        await dockerode.getContainer(info.Id).start();
      };
      if (options.restart) await options.restart({ containerId: info.Id, dockerode, start });
      else await start();
      await waitForState(dockerode, info.Id, (state) => state.Running, 'running after restart');
    },
  };
}

export function freezeContainer(container: string, options: ContainerFaultOptions = {}): Fault {
  return {
    name: `freeze ${displayName(container, options)}`,
    kind: 'freeze',
    async inject() {
      const { dockerode, info } = await ownedContainer(container);
      await dockerode.getContainer(info.Id).pause();
    },
    async heal() {
      const { dockerode, info } = await ownedContainer(container);
      if (info.State.Paused) await dockerode.getContainer(info.Id).unpause();
    },
  };
}

/**
 * Cuts the container off one docker network and reattaches it on heal, with the same aliases
 * (peers find Galera nodes by name) and, where the network allows choosing one, the same address.
 */
export function partitionContainer(container: string, network: string, options: ContainerFaultOptions = {}): Fault {
  let saved: { aliases: string[]; ipv4?: string } | undefined;
  return {
    name: `partition ${displayName(container, options)} from ${network}`,
    kind: 'partition',
    async inject() {
      const { dockerode, info } = await ownedContainer(container);
      const net = await ownedNetwork(dockerode, network);
      const endpoint = info.NetworkSettings.Networks[net.Name];
      if (!endpoint) throw new Error(`container ${container} is not attached to network ${net.Name}`);
      saved = {
        aliases: (endpoint.Aliases ?? []).filter((alias: string) => !info.Id.startsWith(alias)),
        ...(endpoint.IPAddress ? { ipv4: endpoint.IPAddress } : {}),
      };
      await dockerode.getNetwork(net.Id).disconnect({ Container: info.Id, Force: true });
    },
    async heal() {
      const { dockerode, info } = await ownedContainer(container);
      const net = await ownedNetwork(dockerode, network);
      if (info.NetworkSettings.Networks[net.Name]) return; // still (or again) attached
      const aliases = saved?.aliases ?? [];
      const dockerNetwork = dockerode.getNetwork(net.Id);
      if (saved?.ipv4) {
        try {
          await dockerNetwork.connect({
            Container: info.Id,
            EndpointConfig: { Aliases: aliases, IPAMConfig: { IPv4Address: saved.ipv4 } },
          });
          return;
        } catch (err) {
          // Only networks with a user-configured subnet accept a fixed address; fall back to any.
          if (!/user specified IP address|user configured subnets/i.test(String(err))) throw err;
        }
      }
      await dockerNetwork.connect({ Container: info.Id, EndpointConfig: { Aliases: aliases } });
    },
  };
}

function displayName(container: string, options: ContainerFaultOptions): string {
  return options.label ?? (/^[0-9a-f]{64}$/.test(container) ? container.slice(0, 12) : container);
}

/**
 * The suite labels every container and network it starts `ks-gate=true` (lib/cluster/ownership).
 * The testcontainers label alone is not enough: other projects on the machine use it too.
 */
function isOwned(labels: Record<string, string> | undefined | null): boolean {
  return labels?.[SUITE_LABEL] === 'true';
}

async function ownedContainer(container: string): Promise<{ dockerode: Dockerode; info: ContainerInspect }> {
  const dockerode = (await getContainerRuntimeClient()).container.dockerode;
  const info = await dockerode.getContainer(container).inspect();
  assertChaosAllowed({
    description: `container ${info.Name.replace(/^\//, '')} (${info.Id.slice(0, 12)})`,
    ownedBySuite: isOwned(info.Config.Labels),
  });
  return { dockerode, info };
}

async function ownedNetwork(dockerode: Dockerode, network: string): Promise<NetworkInspect> {
  const info = (await dockerode.getNetwork(network).inspect()) as NetworkInspect;
  assertChaosAllowed({ description: `docker network ${info.Name}`, ownedBySuite: isOwned(info.Labels) });
  return info;
}

async function waitForState(
  dockerode: Dockerode,
  id: string,
  reached: (state: ContainerInspect['State']) => boolean,
  what: string,
): Promise<void> {
  const deadline = Date.now() + STATE_TIMEOUT_MS;
  for (;;) {
    const { State } = await dockerode.getContainer(id).inspect();
    if (reached(State)) return;
    if (Date.now() > deadline) throw new Error(`container ${id.slice(0, 12)} not ${what} within ${STATE_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
