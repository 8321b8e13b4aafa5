import { GenericContainer } from 'testcontainers';

/**
 * A container whose published ports listen on 127.0.0.1 only. testcontainers publishes on every
 * interface, which would put a Keystone with a known admin password, or a fault proxy's control
 * API, on the machine's network.
 */
export class LoopbackPortContainer extends GenericContainer {
  /** Publishes `port` on 127.0.0.1:`hostPort` (0 = Docker picks a free one; read it back with getMappedPort). */
  withLoopbackPort(port: number, hostPort = 0): this {
    this.exposedPorts = [...this.exposedPorts, port];
    this.createOpts.ExposedPorts = { ...this.createOpts.ExposedPorts, [`${port}/tcp`]: {} };
    this.hostConfig.PortBindings = { ...this.hostConfig.PortBindings, [`${port}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }] };
    return this;
  }
}
