import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { readRunSecrets, recordRunSecret, removeRunSecrets } from '../lib/keystone/run-secrets.js';
import { containsSecret, secretCanary, secretIndex } from '../reports/secret-canary.js';

let dir: string;
test.beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ks-canary-')); });
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A results tree as a run leaves it: allure results, reports/out, test-results. */
function results(planted?: { file: string; text: string }): string[] {
  const dirs = ['allure-results', 'reports', 'test-results'].map((d) => join(dir, d));
  mkdirSync(join(dirs[0]!, 'nested'), { recursive: true });
  mkdirSync(join(dirs[1]!, 'out'), { recursive: true });
  writeFileSync(join(dirs[0]!, 'nested', 'a-attachment.json'), JSON.stringify({ requestBody: { user: { password: '***' } } }));
  writeFileSync(join(dirs[1]!, 'out', 'results.json'), JSON.stringify({ tests: Array.from({ length: 500 }, (_, i) => `test ${i} passed`) }));
  if (planted) writeFileSync(join(dir, planted.file), planted.text);
  return dirs;
}

const secrets = ['Kq7_vX2mPp9sL0aa', 'oauth-token-secret-77', 'a0b1c2d3e4f5'];

test('a clean results tree passes the canary', () => {
  expect(secretCanary(secrets, results())).toBeUndefined();
});

test('a secret planted in a results file fails the canary, naming the file and never the secret', () => {
  const file = join('allure-results', 'nested', 'b-attachment.txt');
  const finding = secretCanary(secrets, results({ file, text: 'oauth_token=abc&oauth_token_secret=oauth-token-secret-77&x=1' }));
  expect(finding).toContain(join(dir, file));
  expect(finding).toMatch(/^secret canary: a secret this run created appears in 1 file/);
  for (const s of secrets) expect(finding).not.toContain(s);
});

test('the canary finds secrets at the very start and end of a file, among thousands of secrets', () => {
  const many = Array.from({ length: 5000 }, (_, i) => `pw-${i.toString(36).padStart(6, '0')}-x`);
  const index = secretIndex(many);
  expect(containsSecret(Buffer.from(`${many[4999]} trailing`), index)).toBe(true);
  expect(containsSecret(Buffer.from(`leading ${many[0]}`), index)).toBe(true);
  expect(containsSecret(Buffer.from(`pw-${'0'.repeat(6)}-`), index)).toBe(false);
  expect(containsSecret(Buffer.from('x'.repeat(100_000)), index)).toBe(false);
  // Short strings are not canaries: they occur by chance.
  expect(containsSecret(Buffer.from('abc1234'), secretIndex(['abc1234']))).toBe(false);
});

test('the verdict\'s own messages are checked too', () => {
  const finding = secretCanary(secrets, results(), [{ name: 'gate verdict messages', text: '["expected 201: {\\"secret\\": \\"Kq7_vX2mPp9sL0aa\\"}"]' }]);
  expect(finding).toMatch(/gate verdict messages/);
});

test('the run registry is 0600, keeps any character, and is removed after the check', () => {
  const file = join(dir, 'run-secrets', 'run.jsonl');
  recordRunSecret('with "quotes"\nand newline', file);
  recordRunSecret('Kq7_vX2mPp9sL0aa', file);
  recordRunSecret('Kq7_vX2mPp9sL0aa', file);
  recordRunSecret('short', file);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(readRunSecrets(file)).toEqual(['with "quotes"\nand newline', 'Kq7_vX2mPp9sL0aa']);
  removeRunSecrets(file);
  expect(readRunSecrets(file)).toEqual([]);
});
