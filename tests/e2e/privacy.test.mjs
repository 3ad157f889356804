// The README's promise that the app uploads nothing, checked on the wire: every request the page
// and its inference worker make (as the browser context reports them) while a user replays their own recording,
// exports the predictions, streams a wearable, records and exports the recording, is a GET of
// a file the app itself serves (one in dist/), with no body, to the app's own origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appUnderTest, distDir, repoRoot } from './harness.mjs';

const app = appUnderTest({ webgpu: false });

test('nothing the user opens, records or exports leaves the device', async () => {
  // Watched from before the page loads: the page and its workers.
  const requests = [];
  const context = await app.browser.newContext({ acceptDownloads: true });
  context.on('request', (r) => requests.push({ url: r.url(), method: r.method(), body: r.postData() }));
  await context.addInitScript({ path: fileURLToPath(new URL('./fake-bluetooth.js', import.meta.url)) });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
  await page.goto(app.url);
  await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  // The user's own OpenPack session folder, replayed to the end, and the predictions exported.
  await page.getByTestId('mode-replay').click();
  await page.getByTestId('speed').selectOption('max');
  await page.getByTestId('folder-input').setInputFiles(join(repoRoot, 'tests', 'fixtures', 'openpack-u0209', 'U0209'));
  await page.getByTestId('final-student').waitFor({ timeout: 120_000 });
  await Promise.all([page.waitForEvent('download'), page.getByTestId('export-predictions').click()]);
  // A wearable streamed and recorded, the recording exported.
  await page.getByTestId('mode-live').click();
  await page.getByTestId('ble-profile').selectOption('tsak-open');
  await page.getByTestId('connect-ble').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=ble-status]')?.dataset.status === 'streaming', null, { timeout: 20_000 });
  await page.getByTestId('record-name').fill('private shift');
  await page.getByTestId('record').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=record-status]')?.dataset.frames) > 100, null, { timeout: 20_000 });
  await page.getByTestId('stop-record').click();
  const row = page.locator('[data-testid=recordings] li').first();
  await page.waitForFunction(() => document.querySelector('[data-testid=recordings] li')?.dataset.state === 'stopped', null, { timeout: 10_000 });
  await Promise.all([page.waitForEvent('download'), row.getByTestId('export-csv').click()]);

  const origin = new URL(app.url).origin;
  assert.ok(requests.length > 0, 'requests were watched');
  for (const { url, method, body } of requests) {
    const parsed = new URL(url);
    assert.equal(parsed.origin, origin, `a request to another site: ${url}`);
    // The worker's bootstrap script is a blob of this page: it never leaves the browser.
    if (parsed.protocol === 'blob:') continue;
    assert.equal(method, 'GET', `${method} ${url}`);
    assert.equal(body, null, `a request with a body: ${url}`);
    assert.equal(parsed.search, '', `a query string could carry data: ${url}`);
    const file = decodeURIComponent(parsed.pathname).replace(/^\/+/, '') || 'index.html';
    assert.ok(existsSync(join(distDir, file)), `a request for something the app does not serve: ${url}`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});
