// Screenshots of a generated Allure report (Overview with its trend widgets, Categories), for
// README and for a CI job's artefacts: `npx tsx scripts/allure-screenshot.ts <report dir> <out dir>`.
// Playwright drives the browser; Playwright's own browsers cannot be downloaded here, so it uses
// Debian's chromium (`apt-get install chromium`) or the one KS_CHROMIUM names.
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';

const { positionals } = parseArgs({ args: process.argv.slice(2), allowPositionals: true, strict: true });
const [reportDir = 'allure-report', outDir = 'reports/out/screenshots'] = positionals;
const root = resolve(reportDir);
const browserPath = process.env.KS_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(join(root, 'index.html'))) { console.error(`[screenshot] no ${root}/index.html: run npm run report first`); process.exit(1); }
if (!existsSync(browserPath)) { console.error(`[screenshot] no browser at ${browserPath}: apt-get install chromium, or set KS_CHROMIUM`); process.exit(1); }

// The report loads its data with fetch(), which file:// URLs refuse: serve it on loopback.
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.txt': 'text/plain' };
const server = createServer((req, res) => {
  const path = resolve(root, '.' + decodeURIComponent((req.url ?? '/').split('?', 1)[0]!));
  const file = path.startsWith(root) && existsSync(path) && statSync(path).isDirectory() ? join(path, 'index.html') : path;
  if (!file.startsWith(root) || !existsSync(file)) { res.writeHead(404).end(); return; }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

mkdirSync(outDir, { recursive: true });
const browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  for (const [name, hash, ready] of [['overview', '', '.widget'], ['categories', '#categories', '.tree__content, .tree-content, .pane__section']] as const) {
    await page.goto(`${base}index.html${hash}`);
    await page.locator(ready).first().waitFor({ timeout: 30_000 });
    // Expand the first category so the screenshot shows the failures grouped under it.
    if (name === 'categories') await page.locator('.node__title').first().click().catch(() => undefined);
    await page.waitForTimeout(1_000);
    const file = join(outDir, `allure-${name}.png`);
    await page.screenshot({ path: file, fullPage: false });
    console.log(`[screenshot] ${file}`);
  }
} finally {
  await browser.close();
  server.close();
}
