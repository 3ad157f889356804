// The built app loads in headless Chromium and renders, from the shared data layer, the ten
// OpenPack operations, without a console error.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchChromium, openPage, screenshot } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await serveDist();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the app shell mounts and lists the operations', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.getByTestId('app-ready').waitFor({ timeout: 30_000 });
  const operations = page.getByTestId('operation');
  assert.equal(await operations.count(), 10);
  assert.equal((await operations.first().innerText()).replace(/\s+/g, ' '), '100 Picking');
  assert.equal(await operations.last().getAttribute('data-class-id'), '1000');
  await screenshot(page, 'shell');
  assert.deepEqual(problems, []);
});
