// Standalone TCP fault proxy, e.g. inside a container next to a Galera node:
//   node main.js --listen 0.0.0.0:13306 --upstream galera2:3306 --control 0.0.0.0:8474
// --listen/--upstream may repeat (paired in order); all routes share one fault setting.
// Prints one JSON line with the bound addresses once ready; stops on SIGTERM/SIGINT.
import { parseArgs } from 'node:util';
import { startControlServer } from './control-server.js';
import { formatHostPort, parseFaults, parseHostPort, type HostPort } from './proxy-faults.js';
import { TcpFaultProxy } from './tcp-fault-proxy.js';

const USAGE =
  'usage: main.js --listen HOST:PORT --upstream HOST:PORT [--listen ... --upstream ...] ' +
  "[--control HOST:PORT] [--faults '{\"latencyMs\":50}']";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      listen: { type: 'string', multiple: true },
      upstream: { type: 'string', multiple: true },
      control: { type: 'string' },
      faults: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const listens = values.listen ?? [];
  const upstreams = values.upstream ?? [];
  if (listens.length === 0 || listens.length !== upstreams.length) {
    throw new Error(`each --listen needs one --upstream\n${USAGE}`);
  }
  const initialFaults = parseFaults(values.faults ? JSON.parse(values.faults) : {});

  const proxies = listens.map(
    (listen, i) => new TcpFaultProxy({ listen: parseHostPort(listen), upstream: parseHostPort(upstreams[i]!) }),
  );
  const bound: HostPort[] = [];
  for (const proxy of proxies) {
    bound.push(await proxy.start());
    proxy.setFaults(initialFaults);
  }
  const control = values.control ? await startControlServer(proxies, parseHostPort(values.control)) : undefined;

  console.log(
    JSON.stringify({
      ready: true,
      routes: proxies.map((proxy, i) => ({ listen: formatHostPort(bound[i]!), upstream: upstreams[i] })),
      control: control ? formatHostPort(control.address) : null,
    }),
  );

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await control?.close();
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
});
