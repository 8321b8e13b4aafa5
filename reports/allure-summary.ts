import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SummaryAttachment { name: string; body: string; type: 'text/html' | 'application/json' | 'text/plain' | 'image/svg+xml' }

/**
 * Adds a run-level entry to the Allure results: the tables that belong to the whole run
 * (api coverage, retry-coverage matrix) rather than to one test. Written in Allure's own result
 * format, so `allure generate` shows it under epic "gate".
 */
export function writeAllureRunEntry(
  resultsDir: string, name: string, status: 'passed' | 'failed' | 'skipped', attachments: SummaryAttachment[], description: string,
  /** `message`: the status message Allure's categories match (reports/allure-dashboard.ts prefixes); shown on the result too. */
  more: { message?: string; descriptionHtml?: string; severity?: string } = {},
): void {
  mkdirSync(resultsDir, { recursive: true });
  const now = Date.now();
  const files = attachments.map((a) => {
    const ext = a.type === 'text/html' ? 'html' : a.type === 'application/json' ? 'json' : a.type === 'image/svg+xml' ? 'svg' : 'txt';
    const source = `${randomUUID()}-attachment.${ext}`;
    writeFileSync(join(resultsDir, source), a.body);
    return { name: a.name, source, type: a.type };
  });
  const uuid = randomUUID();
  writeFileSync(join(resultsDir, `${uuid}-result.json`), JSON.stringify({
    uuid, historyId: `gate-run-entry-${name}`, testCaseId: `gate-run-entry-${name}`, fullName: `gate: ${name}`, name,
    status, stage: 'finished', description, ...(more.descriptionHtml ? { descriptionHtml: more.descriptionHtml } : {}),
    ...(more.message ? { statusDetails: { message: more.message } } : {}),
    start: now, stop: now, attachments: files, steps: [], parameters: [],
    labels: [{ name: 'epic', value: 'gate' }, { name: 'feature', value: name }, { name: 'suite', value: 'gate run' }, ...(more.severity ? [{ name: 'severity', value: more.severity }] : [])],
  }));
}
