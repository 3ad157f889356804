// Offline and installable, end to end in headless Chromium: after one visit the app starts with
// the network gone (the server stopped and the browser offline), says so, and replays the demo;
// the WebGPU module, which is not precached, is kept once used and runs offline;
// Chromium finds it installable; a new deploy is picked up on the next start with a "new
// version" notice and runs only after the user restarts into it, in every open tab (a tab with
// a wearable streaming waits until it is disconnected).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { backendDecided, chromiumOptions, distDir, launchChromium, serveDist, screenshot } from './harness.mjs';

let browser;

before(async () => {
  browser = await launchChromium({ webgpu: false });
});

after(async () => {
  await browser?.close();
});

async function firstVisit(context, url) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  await page.goto(url);
  await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  await page.waitForSelector('[data-testid=offline-ready][data-ready=true]', { timeout: 60_000 });
  assert.equal(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)), true, 'the service worker controls the page');
  return { page, problems };
}

test('after one visit the app starts and replays the demo with the network gone', async () => {
  const server = await serveDist();
  const context = await browser.newContext();
  const { page, problems } = await firstVisit(context, server.url);
  assert.equal(await page.getByTestId('network-status').getAttribute('data-online'), 'true');

  await server.close();
  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  assert.equal(await page.getByTestId('network-status').getAttribute('data-online'), 'false');
  assert.match(await page.getByTestId('network-status').innerText(), /Offline: everything runs on this device/);
  // The demo session (fetched by the inference worker) comes from the cache too.
  await page.getByTestId('speed').selectOption('max');
  await page.getByTestId('replay-demo').click();
  await page.getByTestId('final-student').waitFor({ timeout: 120_000 });
  assert.notEqual(await page.getByTestId('student-prediction').innerText(), '—');
  // A link with a query (the kiosk's) starts offline too: every navigation gets the shell.
  await page.goto(`${server.url}?kiosk`);
  await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  await screenshot(page, 'offline-start');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the WebGPU module, fetched only when used, is kept and runs offline', async () => {
  const gpuBrowser = await launchChromium({ webgpu: true });
  const server = await serveDist();
  try {
    const context = await gpuBrowser.newContext();
    const { page, problems } = await firstVisit(context, server.url);
    // From the next start the service worker sees the inference worker's requests too.
    await page.reload();
    await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
    await page.getByTestId('backend-choice').selectOption('webgpu');
    assert.equal(await backendDecided(page), 'WebGPU');
    // Fetched once (to time WebGPU on the first visit, or now), and never precached: the
    // service worker's install list leaves it out.
    assert.ok(server.served.includes('/webgpu/tsak_webgpu_bg.wasm'), 'the module was fetched for WebGPU');
    const sw = await (await fetch(`${server.url}sw.js`)).text();
    assert.ok(sw.includes('tsak_webgpu') === false, 'sw.js does not precache the WebGPU module');

    await server.close();
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
    // The choice is remembered, and the module comes from the cache.
    assert.equal(await backendDecided(page), 'WebGPU');
    await page.getByTestId('speed').selectOption('max');
    await page.getByTestId('replay-demo').click();
    await page.waitForFunction(() => /^[1-9]\d* of/.test(document.querySelector('[data-testid=progress]')?.innerText ?? ''), null, { timeout: 120_000 });
    assert.notEqual(await page.getByTestId('student-prediction').innerText(), '—');
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    await gpuBrowser.close();
    await server.close();
  }
});

test('Chromium finds the app installable', async () => {
  const server = await serveDist();
  // A profile on disk: Chromium never offers installs from an incognito context (Playwright's).
  const profile = await mkdtemp(join(tmpdir(), 'tsak-profile-'));
  const context = await chromium.launchPersistentContext(profile, chromiumOptions({ webgpu: false }));
  const { page } = await firstVisit(context, server.url);
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors, []);
  const { errors, data } = await cdp.send('Page.getAppManifest');
  assert.deepEqual(errors, []);
  const manifest = JSON.parse(data);
  assert.equal(manifest.display, 'standalone');
  assert.deepEqual(manifest.icons.map((i) => i.sizes), ['192x192', '512x512', '512x512']);
  await context.close();
  await server.close();
  await rm(profile, { recursive: true, force: true });
});

test('a new deploy is picked up on the next start with a notice, and runs after a restart', async () => {
  const root = await mkdtemp(join(tmpdir(), 'tsak-deploy-'));
  await cp(distDir, root, { recursive: true });
  const server = await serveDist(root);
  const context = await browser.newContext();
  // Web Bluetooth (the stand-in): the second tab streams a wearable when the update comes.
  await context.addInitScript({ path: join(import.meta.dirname, 'fake-bluetooth.js') });
  const { page, problems } = await firstVisit(context, server.url);
  assert.equal(await page.locator('[data-testid=update-ready]').count(), 0, 'no notice on the first visit');
  // A file the running app fetches later (the demo's), read the way the app reads it.
  const demoReadme = (tab) => tab.evaluate(() => fetch('demo/README.txt').then((r) => r.text()));
  const oldReadme = await demoReadme(page);

  // Deploy: a changed page, a changed demo file and the service worker of the new build.
  const index = join(root, 'index.html');
  await writeFile(index, (await readFile(index, 'utf8')).replace('<head>', '<head><meta name="tsak-build" content="2" />'));
  await writeFile(join(root, 'demo', 'README.txt'), `${oldReadme}\nbuild 2\n`);
  const sw = join(root, 'sw.js');
  await writeFile(sw, (await readFile(sw, 'utf8')).replace(/const VERSION = "[0-9a-f]+"/, 'const VERSION = "feedfacefeedface"'));

  // The next start still runs the old version, whole, and offers the new one.
  await page.reload();
  await page.waitForSelector('[data-testid=update-ready]', { timeout: 30_000 });
  assert.equal(await page.locator('meta[name=tsak-build]').count(), 0, 'the old version, not half of the new');
  assert.equal(await demoReadme(page), oldReadme, 'files fetched later come from the old version too');
  await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  await screenshot(page, 'offline-update-ready');
  // A second tab of the old version, streaming a wearable.
  const other = await context.newPage();
  other.on('pageerror', (err) => problems.push(`pageerror (second tab): ${err.message}`));
  await other.goto(server.url);
  await other.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  await other.waitForSelector('[data-testid=update-ready]', { timeout: 30_000 });
  assert.equal(await other.locator('meta[name=tsak-build]').count(), 0);
  await other.getByTestId('mode-live').click();
  await other.getByTestId('ble-profile').selectOption('tsak-open');
  await other.getByTestId('connect-ble').click();
  await other.waitForFunction(() => document.querySelector('[data-testid=ble-status]')?.dataset.status === 'streaming', null, { timeout: 20_000 });
  await Promise.all([page.waitForEvent('load'), page.getByTestId('update-restart').click()]);
  await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  assert.equal(await page.locator('meta[name=tsak-build]').count(), 1, 'restarted into the new version');
  assert.equal(await page.locator('[data-testid=update-ready]').count(), 0);
  assert.equal(await demoReadme(page), `${oldReadme}\nbuild 2\n`);
  // The old version's cache is gone, so the other tab must start again too, but not while a
  // wearable streams: it says so, and restarts into the new version once it is disconnected.
  await other.getByTestId('update-deferred').waitFor({ timeout: 30_000 });
  assert.equal(await other.getByTestId('ble-status').getAttribute('data-status'), 'streaming');
  const otherRestarts = other.waitForEvent('load', { timeout: 30_000 });
  await other.getByTestId('ble-disconnect').click();
  await otherRestarts;
  await other.waitForSelector('meta[name=tsak-build]', { state: 'attached', timeout: 30_000 });
  assert.deepEqual(problems, []);
  await context.close();
  await server.close();
  await rm(root, { recursive: true, force: true });
});
