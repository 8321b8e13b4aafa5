import { createHash } from 'node:crypto';
/**
 * Tempest's `check_uuid` for this suite: every test under suites/ carries exactly one `id`
 * annotation, a UUID no other test uses. The id is what Allure keys history on, what known-defect
 * entries and gate.json name, and what survives a renamed title.
 */
export interface ListedTest {
  /** File and title path, for the message. */
  where: string;
  /** The descriptions of the test's `id` annotations. */
  ids: string[];
  /** The test's tags (Playwright's `tag` option and @words of its titles); absent: not checked. */
  tags?: string[];
}

/** The tag that makes a test selectable by its id: `npx playwright test --grep <id>` (grep reads titles and tags). */
export const idTag = (id: string): string => `@id:${id}`;

/**
 * A test's details (Playwright's second argument to `test()`) for its id: the `id` annotation
 * (Allure testCaseId/historyId, gate.json, request logs), the tag that `--grep <id>` finds, and the
 * test's own tags (`@slice`, ...: tags, not title words, so a title can change without breaking selection).
 */
export function testId(id: string, ...tags: `@${string}`[]): { tag: string[]; annotation: { type: 'id'; description: string } } {
  return { tag: [idTag(id), ...tags], annotation: { type: 'id', description: id } };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Problems, one line each: missing, several, malformed, or duplicated ids. Empty means every test has its own. */
export function checkTestIds(tests: readonly ListedTest[]): string[] {
  const problems: string[] = [];
  const owners = new Map<string, string[]>();
  for (const t of tests) {
    if (t.ids.length === 0) problems.push(`${t.where}: no id annotation`);
    if (t.ids.length > 1) problems.push(`${t.where}: ${t.ids.length} id annotations (${t.ids.join(', ')})`);
    if (t.tags && t.ids.length === 1 && !t.tags.includes(idTag(t.ids[0]!))) problems.push(`${t.where}: no ${idTag(t.ids[0]!)} tag, so --grep ${t.ids[0]} does not select it (give the test its details with testId())`);
    for (const id of t.ids) {
      if (!UUID.test(id)) problems.push(`${t.where}: id "${id}" is not a lower-case UUID`);
      owners.set(id, [...(owners.get(id) ?? []), t.where]);
    }
  }
  for (const [id, where] of owners) if (where.length > 1) problems.push(`id ${id} is used by ${where.length} tests: ${where.join('; ')}`);
  return problems;
}

/** Playwright JSON report suites (from `playwright test --list --reporter=json`), flattened. */
interface JsonSuite { title: string; file?: string; specs?: { title: string; file: string; tags?: string[]; tests: { projectName: string; annotations?: { type: string; description?: string }[] }[] }[]; suites?: JsonSuite[] }

export function listedTests(report: { suites: JsonSuite[] }): ListedTest[] {
  const out: ListedTest[] = [];
  const walk = (s: JsonSuite, path: string[]): void => {
    for (const spec of s.specs ?? []) {
      for (const t of spec.tests) {
        out.push({ where: `${t.projectName} › ${spec.file} › ${[...path, spec.title].join(' › ')}`, ids: (t.annotations ?? []).filter((a) => a.type === 'id').map((a) => a.description ?? ''), tags: (spec.tags ?? []).map((x) => (x.startsWith('@') ? x : `@${x}`)) });
      }
    }
    for (const c of s.suites ?? []) walk(c, [...path, c.title]);
  };
  for (const s of report.suites) walk(s, []);
  return out;
}

/**
 * A UUID (RFC 4122 version 5 layout) derived from a name: generated tests (one per RBAC cell) get
 * an id that is the same on every run and changes only when what the test is changes.
 */
export function stableUuid(name: string): string {
  const h = createHash('sha1').update(`keystone-release-gate:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
