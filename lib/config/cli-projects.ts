/** The projects a Playwright command line names (`--project=x`, `--project x`); empty = all configured. */
export function selectedProjects(argv: readonly string[]): string[] {
  const out: string[] = [];
  argv.forEach((a, i) => {
    if (a.startsWith('--project=')) out.push(a.slice('--project='.length));
    else if (a === '--project' && argv[i + 1]) out.push(argv[i + 1]!);
  });
  return out;
}

/** Playwright options that take a value as the next argument (so that value is not a file filter). */
const VALUE_OPTIONS = new Set([
  '-c', '--config', '--project', '-g', '--grep', '--grep-invert', '-j', '--workers', '--reporter', '--shard', '--timeout',
  '--global-timeout', '--max-failures', '--output', '--repeat-each', '--retries', '--trace', '--tsconfig', '--browser',
  '--test-list', '--test-list-invert', '--update-source-method',
]);
/** Options that select part of the tests. */
const FILTER_OPTIONS = new Set(['-g', '--grep', '--grep-invert', '--shard', '--last-failed', '--only-changed', '--test-list', '--test-list-invert']);

/**
 * Whether the command line runs every test of `project`: the project is selected (or no project is
 * named) and nothing narrows the run (no file filter, --grep, --grep-invert, --shard, --last-failed,
 * --only-changed, --test-list). A slice judges nothing that needs the whole project (api coverage).
 */
export function fullProjectRun(argv: readonly string[], project: string, opts: { shardsMakeWhole?: boolean } = {}): boolean {
  const projects = selectedProjects(argv);
  if (projects.length && !projects.includes(project)) return false;
  const start = argv.indexOf('test');
  const args = start >= 0 ? argv.slice(start + 1) : [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const name = a.split('=')[0]!;
    // A shard of the whole project is whole once merged with its siblings (npm run merge checks all are there).
    if (opts.shardsMakeWhole && name === '--shard') { if (a === name) i++; continue; }
    if (FILTER_OPTIONS.has(name)) return false;
    if (a.startsWith('-')) { if (VALUE_OPTIONS.has(a)) i++; continue; }
    return false; // a positional argument is a file filter
  }
  return true;
}

/**
 * The support projects of a config: those another project lists in `dependencies` or `teardown`
 * (the `cluster` setup and teardown, the chaos preflight). Playwright runs them when a project
 * that needs them runs; they are not gate phases: never "configured but run by no phase", never
 * "selected without tests", their passes and skips not counted as the gate's tests (their failures
 * are: a leak found at teardown fails the run).
 */
export function supportProjects(projects: readonly { name: string; dependencies?: readonly string[]; teardown?: string }[]): Set<string> {
  return new Set(projects.flatMap((p) => [...(p.dependencies ?? []), ...(p.teardown ? [p.teardown] : [])]));
}
