import { removeRun } from './ownership.js';

/**
 * What a bench that starts embedded clusters does on Ctrl-C or a CI cancel, even in the middle of a
 * bring-up: `before` ends its child processes, then every container and network of `runIds()` is
 * removed synchronously (an async stop would not finish before exit), and the process exits 130.
 * The runs' normal teardown stays in the bench's own `finally`. Returns the uninstaller.
 * Used by bench/load.bench.ts, bench/conformance.bench.ts and bench/compare.bench.ts.
 *
 * The handler stays installed and ignores any further signal: Ctrl-C reaches the whole process
 * group, and `tsx` passes it on to the bench's process a second time. With a one-shot handler
 * (process.once, as the benches had) that second SIGINT found the default action and killed the
 * process in the middle of `docker rm`, leaving the cluster running (seen 2026-12-03).
 */
export function removeRunsOnSignal(
  runIds: () => Iterable<string>,
  o: { what?: string; before?: () => void; log?: (message: string) => void } = {},
): () => void {
  let removing = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (removing) return;
    removing = true;
    const ids = [...runIds()];
    o.log?.(`${sig}: ${o.what ? `${o.what} and ` : ''}removing the cluster${ids.length === 1 ? '' : 's'}${ids.length ? ` (run ${ids.join(', ')})` : ''}`);
    try { o.before?.(); } catch { /* the removal below matters more */ }
    for (const id of ids) removeRun(id);
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
