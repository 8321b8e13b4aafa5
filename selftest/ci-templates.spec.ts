import { existsSync, readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { parse } from 'yaml';
import config from '../playwright.config.js';
import { supportProjects } from '../lib/config/cli-projects.js';

// docs/ci/: the GitHub Actions and GitLab CI templates must parse, build the images (the user's
// patched Keystone) before the shards, run every gate phase in every shard, merge with the same
// shard count, fail on the merged verdict, and call only commands README documents.

const README = readFileSync('README.md', 'utf8');
const PACKAGE = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
// The gate's phases run these; the support projects (cluster setup and teardown) come with them.
const SUPPORT = supportProjects((config.projects ?? []).map((p) => ({ ...p, name: p.name! })));
const PROJECTS = (config.projects ?? []).map((p) => p.name!).filter((p) => p !== 'selftest' && !SUPPORT.has(p));

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Commands as README writes them: CI variables become README's <placeholders>. */
const normalise = (cmd: string) => cmd.trim()
  .replace(/\$\{\{\s*matrix\.phase\s*\}\}|\$PHASE\b/g, '<phase>')
  .replace(/\$\{\{\s*matrix\.shard\s*\}\}\/\$\{\{\s*env\.SHARDS\s*\}\}|\$SHARD\/\$SHARDS/g, '<i>/<n>')
  .replace(/\$\{\{\s*env\.SHARDS\s*\}\}|\$SHARDS\b/g, '<n>')
  .replace(/\s*\|\|\s*true$/, '');

/** Problems with the gate's own commands in a list of shell lines (empty: fine). */
function commandProblems(lines: string[]): string[] {
  const problems: string[] = [];
  for (const line of lines.map(normalise)) {
    const npm = /^npm run (\S+)/.exec(line);
    if (npm && !PACKAGE.scripts[npm[1]!]) problems.push(`"${line}": no npm script ${npm[1]}`);
    const script = /^bash (scripts\/\S+)/.exec(line);
    if (script && !existsSync(script[1]!)) problems.push(`"${line}": no ${script[1]}`);
    if ((npm || script || line.startsWith('npx ')) && !README.includes(line)) problems.push(`"${line}" is not in README`);
  }
  return problems;
}

const range = (n: number) => Array.from({ length: n }, (_, k) => k + 1);

function githubProblems(doc: Doc): string[] {
  const p: string[] = [];
  const jobs = doc?.jobs ?? {};
  const runs = (job: string): string[] => (jobs[job]?.steps ?? []).flatMap((s: Doc) => (typeof s.run === 'string' ? [s.run] : []));
  if (!doc?.env?.KS_KEYSTONE_PATCH) p.push('KS_KEYSTONE_PATCH (the user\'s patch) is not set');
  if (!runs('build').includes('npm run setup')) p.push('build job does not run npm run setup (builds the patched Keystone image)');
  if (![jobs.gate?.needs].flat().includes('build')) p.push('gate job does not wait for build');
  const matrix = jobs.gate?.strategy?.matrix ?? {};
  if (JSON.stringify(matrix.shard) !== JSON.stringify(range(Number(doc?.env?.SHARDS)))) p.push(`matrix.shard ${JSON.stringify(matrix.shard)} is not 1..SHARDS (${doc?.env?.SHARDS})`);
  for (const project of PROJECTS) if (!(matrix.phase ?? []).includes(project)) p.push(`matrix.phase does not run project ${project}`);
  if (!runs('gate').some((r) => r.startsWith('bash scripts/gate-shard.sh ${{ matrix.phase }} ${{ matrix.shard }}/${{ env.SHARDS }}'))) p.push('gate job does not run its shard with gate-shard.sh');
  if (![jobs.merge?.needs].flat().includes('gate') || !/always\(\)/.test(String(jobs.merge?.if))) p.push('merge job does not run after every shard, failed or not');
  const mergeStep = (jobs.merge?.steps ?? []).find((s: Doc) => /^npm run merge/.test(String(s.run)));
  if (!mergeStep || mergeStep.run !== 'npm run merge -- --shards=${{ env.SHARDS }}') p.push('merge job does not run npm run merge -- --shards=${{ env.SHARDS }}');
  else if (mergeStep['continue-on-error']) p.push('the merge step may fail without failing the job');
  const uploads = JSON.stringify((jobs.merge?.steps ?? []).filter((s: Doc) => String(s.uses).startsWith('actions/upload-artifact')));
  for (const path of ['allure-report/', 'reports/out/junit.xml', 'reports/gate.json']) if (!uploads.includes(path)) p.push(`merge job does not upload ${path}`);
  return [...p, ...commandProblems(Object.keys(jobs).flatMap(runs))];
}

function gitlabProblems(doc: Doc): string[] {
  const p: string[] = [];
  const script = (job: string): string[] => [...(doc?.[job]?.script ?? []), ...(doc?.[job]?.after_script ?? [])];
  if (JSON.stringify(doc?.stages) !== JSON.stringify(['build', 'gate', 'merge'])) p.push(`stages ${JSON.stringify(doc?.stages)} are not build, gate, merge`);
  if (!doc?.variables?.KS_KEYSTONE_PATCH) p.push('KS_KEYSTONE_PATCH (the user\'s patch) is not set');
  if (!script('build-images').includes('npm run setup')) p.push('build-images does not run npm run setup (builds the patched Keystone image)');
  const matrix = doc?.gate?.parallel?.matrix?.[0] ?? {};
  if (JSON.stringify((matrix.SHARD ?? []).map(Number)) !== JSON.stringify(range(Number(doc?.variables?.SHARDS)))) p.push(`SHARD ${JSON.stringify(matrix.SHARD)} is not 1..SHARDS (${doc?.variables?.SHARDS})`);
  for (const project of PROJECTS) if (!(matrix.PHASE ?? []).includes(project)) p.push(`PHASE does not run project ${project}`);
  if (!script('gate').some((l) => l.startsWith('bash scripts/gate-shard.sh $PHASE $SHARD/$SHARDS'))) p.push('gate job does not run its shard with gate-shard.sh');
  if (doc?.gate?.artifacts?.when !== 'always') p.push('a failed shard would not upload its results');
  if (doc?.merge?.stage !== 'merge' || doc?.merge?.when !== 'always') p.push('merge does not run after every shard, failed or not');
  const merge = (doc?.merge?.script ?? []).find((l: string) => l.startsWith('npm run merge'));
  if (merge !== 'npm run merge -- --shards=$SHARDS') p.push('merge job does not run npm run merge -- --shards=$SHARDS (or ignores its exit status)');
  if (doc?.merge?.artifacts?.reports?.junit !== 'reports/out/junit.xml') p.push('merge does not publish the JUnit report');
  if (!JSON.stringify(doc?.merge?.artifacts?.paths ?? []).includes('allure-report/')) p.push('merge does not keep the Allure report');
  return [...p, ...commandProblems(['build-images', 'gate', 'merge'].flatMap(script))];
}

const github = () => parse(readFileSync('docs/ci/github-actions.yml', 'utf8')) as Doc;
const gitlab = () => parse(readFileSync('docs/ci/gitlab-ci.yml', 'utf8')) as Doc;

test('the GitHub Actions template parses and runs build, every phase x shard, then a failing-on-verdict merge', () => {
  expect(githubProblems(github())).toEqual([]);
});

test('the GitLab CI template parses and runs build, parallel phase x shard, then a failing-on-verdict merge', () => {
  expect(gitlabProblems(gitlab())).toEqual([]);
});

test('the template checks reject what would break a user\'s CI', () => {
  let d = github(); d.env.SHARDS = 3;
  expect(githubProblems(d).join('\n')).toMatch(/matrix.shard \[1,2\] is not 1..SHARDS \(3\)/);
  d = github(); d.jobs.gate.strategy.matrix.phase = ['conformance'];
  expect(githubProblems(d).join('\n')).toMatch(/does not run project concurrency/);
  d = github(); d.jobs.merge.steps.find((s: Doc) => /npm run merge/.test(String(s.run)))['continue-on-error'] = true;
  expect(githubProblems(d).join('\n')).toMatch(/may fail without failing the job/);
  d = github(); d.jobs.build.steps = d.jobs.build.steps.filter((s: Doc) => s.run !== 'npm run setup');
  expect(githubProblems(d).join('\n')).toMatch(/build job does not run npm run setup/);
  d = github(); d.jobs.merge.steps.push({ run: 'npm run merge-all' });
  expect(githubProblems(d).join('\n')).toMatch(/no npm script merge-all/);
  d = github(); d.jobs.gate.steps.push({ run: 'npx playwright test --project=conformance --undocumented' });
  expect(githubProblems(d).join('\n')).toMatch(/is not in README/);
  let g = gitlab(); g.merge.script = g.merge.script.map((l: string) => (l.startsWith('npm run merge') ? `${l} || true` : l));
  expect(gitlabProblems(g).join('\n')).toMatch(/ignores its exit status/);
  g = gitlab(); g.gate.parallel.matrix[0].SHARD = ['1'];
  expect(gitlabProblems(g).join('\n')).toMatch(/SHARD \["1"\] is not 1..SHARDS \(2\)/);
  g = gitlab(); delete g.merge.artifacts.reports;
  expect(gitlabProblems(g).join('\n')).toMatch(/JUnit/);
  g = gitlab(); g.gate.script.push('bash scripts/no-such.sh');
  expect(gitlabProblems(g).join('\n')).toMatch(/no scripts\/no-such.sh/);
});
