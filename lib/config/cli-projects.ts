/** The projects a Playwright command line names (`--project=x`, `--project x`); empty = all configured. */
export function selectedProjects(argv: readonly string[]): string[] {
  const out: string[] = [];
  argv.forEach((a, i) => {
    if (a.startsWith('--project=')) out.push(a.slice('--project='.length));
    else if (a === '--project' && argv[i + 1]) out.push(argv[i + 1]!);
  });
  return out;
}
