// Recording in live mode end to end in headless Chromium, with the injected Web Bluetooth
// stand-in (fake-bluetooth.js, a 50 Hz tsak-open wrist device): record with labels picked while
// streaming (a model class and a free label), reload the page mid-recording as a crash would,
// find the recording saved up to its last second, resume it with the device reconnected, stop,
// export it as recording CSVs + spec and in OpenPack's layout (both zips read back here), and
// delete it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { appUnderTest, openLivePage, readStoredZip, screenshot } from './harness.mjs';

const app = appUnderTest({ webgpu: false });

async function connect(page) {
  await page.getByTestId('ble-profile').selectOption('tsak-open');
  await page.getByTestId('ble-position').selectOption('right_wrist');
  await page.getByTestId('connect-ble').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=ble-status]')?.dataset.status === 'streaming', null, { timeout: 20_000 });
}

const recordedFrames = (page) => page.getByTestId('record-status').getAttribute('data-frames').then(Number);
const savedRow = (page) => page.locator('[data-testid=recordings] li').first();

async function download(page, testId) {
  const [file] = await Promise.all([page.waitForEvent('download'), savedRow(page).getByTestId(testId).click()]);
  return { name: file.suggestedFilename(), files: readStoredZip(await readFile(await file.path())) };
}

test('a recording survives a reload, resumes, exports in both layouts and is deleted', async () => {
  const { context, page, problems } = await openLivePage(app.browser, app.url);
  await connect(page);

  await page.getByTestId('record-name').fill('line3 test');
  await page.getByTestId('record-subject').fill('anna');
  await page.locator('[data-testid=label-option][data-value="100"]').click();
  await page.getByTestId('record').click();
  assert.equal(await page.getByTestId('record').isDisabled(), true);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=record-status]')?.dataset.frames) > 45, null, { timeout: 10_000 });
  // A free label becomes a class of the recording, picked from then on.
  await page.getByTestId('record-label').fill('Tape the box');
  await page.getByTestId('record-label').press('Enter');
  await page.getByTestId('record-label').blur();
  await page.waitForFunction(() => /now: Tape the box/.test(document.querySelector('[data-testid=record-status]')?.innerText));
  await page.waitForFunction(() => /saved [2-9]\.\d s/.test(document.querySelector('[data-testid=record-status]')?.innerText), null, { timeout: 10_000 });
  assert.equal(await page.locator('[data-testid=label-option][aria-pressed=true]').innerText(), 'Tape the box');

  // The tab goes away mid-recording (no Stop): everything up to the last save is kept.
  const before = await recordedFrames(page);
  await page.reload();
  await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  await page.getByTestId('mode-live').click();
  await page.waitForSelector('[data-testid=recordings] li');
  const interrupted = savedRow(page);
  assert.equal(await interrupted.getAttribute('data-state'), 'interrupted');
  const kept = Number(await interrupted.getAttribute('data-frames'));
  // Saved once a second (30 frames), pulled every 250 ms: at most ~1.3 s of frames unsaved.
  assert.ok(kept >= before - 40 && kept > 0, `kept ${kept} of the ${before} frames shown before the reload`);
  assert.match(await interrupted.innerText(), /line3 test · anna · .* right_wrist\/acc, right_wrist\/gyro, right_wrist\/quat · interrupted/);

  // Resuming needs the same device streaming; with it, recording continues on its own grid.
  await interrupted.getByTestId('record-resume').click();
  assert.match(await page.getByTestId('record-error').innerText(), /to resume "line3 test", connect right_wrist\/acc/);
  await page.getByTestId('ble-profile').selectOption('tsak-open');
  await page.getByTestId('connect-ble').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=ble-status]')?.dataset.status === 'streaming', null, { timeout: 20_000 });
  await savedRow(page).getByTestId('record-resume').click();
  await page.waitForFunction(() => /Recording "line3 test"/.test(document.querySelector('[data-testid=record-status]')?.innerText));
  // What was saved, plus at most the frames of the tick that may have run since.
  const resumed = await recordedFrames(page);
  assert.ok(resumed >= kept && resumed <= kept + 30, `resumed at ${resumed} frames with ${kept} saved`);
  await page.locator('[data-testid=label-option][data-value="8100"]').click();
  await page.waitForFunction((kept) => Number(document.querySelector('[data-testid=record-status]')?.dataset.frames) > kept + 45, kept, { timeout: 10_000 });
  const atStop = await recordedFrames(page);
  await page.getByTestId('stop-record').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=recordings] li')?.dataset.state === 'stopped', null, { timeout: 5_000 });
  const saved = Number(await savedRow(page).getAttribute('data-frames'));
  assert.ok(saved >= atStop && saved < atStop + 15, `stopping saves every frame: ${saved} saved, ${atStop} shown just before`);
  await screenshot(page, 'live-recording');

  // Recording CSVs + spec: one part before the reload, one after (never windowed across).
  const csv = await download(page, 'export-csv');
  assert.equal(csv.name, 'line3-test.zip');
  const names = [...csv.files.keys()];
  assert.deepEqual(names, ['line3-test/line3-test-part1.csv', 'line3-test/line3-test-part2.csv', 'line3-test/line3-test.toml']);
  const spec = csv.files.get('line3-test/line3-test.toml');
  assert.match(spec, /name = "Tape the box"/);
  assert.match(spec, /right_wrist\/quat_w/);
  const rows = names.filter((n) => n.endsWith('.csv')).flatMap((n) => csv.files.get(n).trim().split('\n').slice(1));
  assert.equal(rows.length, saved, 'every recorded frame is exported');
  const labels = new Set(rows.map((r) => r.split(',').at(-1)));
  assert.deepEqual([...labels].sort(), ['100', '1100', '8100']);

  // OpenPack's layout: the wrist's ATR file, both annotation forms and a README saying what it is.
  const openpack = await download(page, 'export-openpack');
  assert.equal(openpack.name, 'line3-test-openpack.zip');
  assert.deepEqual([...openpack.files.keys()], [
    'U-anna/atr/atr01/line3-test.csv',
    'U-anna/annotation/openpack-operations-1hz/line3-test.csv',
    'U-anna/annotation/openpack-operations/line3-test.csv',
    'README.txt',
  ]);
  const atr = openpack.files.get('U-anna/atr/atr01/line3-test.csv').trim().split('\n');
  assert.equal(atr[0], 'unixtime,acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z,quat_w,quat_x,quat_y,quat_z');
  assert.equal(atr.length - 1, saved);
  // OpenPack's class table has no free labels: those seconds are Null there, and the README says so.
  const readme = openpack.files.get('README.txt');
  assert.match(readme, /not OpenPack data/);
  assert.match(readme, /the free labels Tape the box are written as Null/);
  const seconds = openpack.files.get('U-anna/annotation/openpack-operations-1hz/line3-test.csv').trim().split('\n').slice(1);
  assert.deepEqual([...new Set(seconds.map((r) => r.split(',').at(-1)))].sort(), ['100', '8100']);

  // Deleting asks first, then removes it for good.
  page.once('dialog', (dialog) => dialog.dismiss());
  await savedRow(page).getByTestId('record-delete').click();
  assert.equal(await page.locator('[data-testid=recordings] li').count(), 1, 'kept when the user says no');
  page.once('dialog', (dialog) => dialog.accept());
  await savedRow(page).getByTestId('record-delete').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=recordings] li').length === 0);
  await page.reload();
  await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  await page.getByTestId('mode-live').click();
  await page.waitForTimeout(500);
  assert.equal(await page.locator('[data-testid=recordings] li').count(), 0, 'gone after a reload too');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a renderer crash mid-recording loses at most the last second', async () => {
  const { context, page } = await openLivePage(app.browser, app.url);
  await connect(page);
  await page.getByTestId('record-name').fill('crash test');
  await page.getByTestId('record').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=record-status]')?.dataset.frames) > 60, null, { timeout: 10_000 });
  // Every frame the page has shown as recorded by now must survive a crash a second later.
  const shown = await recordedFrames(page);
  await page.waitForTimeout(1000);
  // The renderer dies: no pagehide, no visibilitychange, no chance to save (unlike a reload).
  const cdp = await context.newCDPSession(page);
  const crashed = new Promise((resolve) => page.once('crash', resolve));
  // The command never answers: its renderer is gone.
  cdp.send('Page.crash').catch(() => {});
  await crashed;
  const fresh = await context.newPage();
  const problems = [];
  fresh.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  await fresh.goto(app.url);
  await fresh.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  await fresh.getByTestId('mode-live').click();
  await fresh.waitForSelector('[data-testid=recordings] li');
  const row = savedRow(fresh);
  assert.equal(await row.getAttribute('data-state'), 'interrupted');
  const kept = Number(await row.getAttribute('data-frames'));
  assert.ok(kept >= shown, `${kept} frames survived the crash; ${shown} were shown a second before it`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('without IndexedDB the page says recordings will not survive a reload and Stop downloads the recording', async () => {
  const noIndexedDb = () => Object.defineProperty(window, 'indexedDB', { configurable: true, get: () => undefined });
  const { context, page, problems } = await openLivePage(app.browser, app.url, { init: [noIndexedDb] });
  await connect(page);
  assert.match(await page.getByTestId('record-error').innerText(), /Recordings will not survive a reload/);
  await page.getByTestId('record-name').fill('no storage');
  await page.getByTestId('record').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=record-status]')?.dataset.frames) > 45, null, { timeout: 10_000 });
  const shown = await recordedFrames(page);
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.getByTestId('stop-record').click()]);
  assert.equal(file.suggestedFilename(), 'no-storage.zip');
  const files = readStoredZip(await readFile(await file.path()));
  const rows = files.get('no-storage/no-storage.csv').trim().split('\n').length - 1;
  assert.ok(rows >= shown, `${rows} frames downloaded, ${shown} shown before Stop`);
  assert.match(await page.getByTestId('record-error').innerText(), /could not be kept in this browser .* downloaded as a zip instead/);
  assert.deepEqual(problems, []);
  await context.close();
});
