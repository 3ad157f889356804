// Live mode end to end in headless Chromium: a wearable (an injected stand-in for Web
// Bluetooth speaking the tsak open profile, see fake-bluetooth.js) streams; the page shows it
// streaming at its rate, the student classifies live windows, the teacher runs and says what it lacks;
// lost packets are counted; a dropped connection reconnects by itself; disconnecting releases
// the device. Without Web Bluetooth the live view explains why and leads back to replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { appUnderTest, openLivePage, openPage, screenshot } from './harness.mjs';

/** The manifest of the models live mode runs: the default embedded bundle, `model-weights/`. */
const liveManifest = () => JSON.parse(readFileSync(new URL('../../model-weights/manifest.json', import.meta.url), 'utf8'));

const app = appUnderTest({ webgpu: false });

const status = (page) => page.getByTestId('ble-status').getAttribute('data-status');

test('a streaming wearable is classified live, loses packets visibly and reconnects', async () => {
  const { context, page, problems } = await openLivePage(app.browser, app.url);
  await page.getByTestId('ble-profile').selectOption('tsak-open');
  await page.getByTestId('ble-position').selectOption('right_wrist');
  await page.getByTestId('connect-ble').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=ble-status]')?.dataset.status === 'streaming', null, { timeout: 20_000 });
  // Four seconds of frames (the real-data models' window) make the first window; the student answers it.
  await page.waitForFunction(() => document.querySelector('[data-testid=student-prediction]')?.innerText !== '—', null, { timeout: 30_000 });
  assert.match(await page.getByTestId('student-latency').innerText(), /^\d+% · [\d.]+ ms$/);
  const rate = Number(await page.getByTestId('ble-rate').getAttribute('data-value'));
  assert.ok(rate > 40 && rate < 60, `measured ${rate} Hz from a 50 Hz device`);
  assert.match(await page.getByTestId('teacher-missing').innerText(), /The teacher runs without .*left_wrist\/acc/);
  await page.waitForFunction(() => document.querySelector('[data-testid=teacher-prediction]')?.innerText !== '—', null, { timeout: 30_000 });
  // The device set up at the rate the app asked for (20000 us = 50 Hz).
  assert.deepEqual(await page.evaluate(() => window.__bleFake.state.writes[0]), [0x20, 0x4e]);

  // 3 packets lost on the air: 300 ms of samples, counted as packets and as a gap on the grid
  // (longer than the 200 ms the grid interpolates across), never filled in.
  await page.evaluate(() => window.__bleFake.lose(3));
  await page.waitForFunction(() => document.querySelector('[data-testid=ble-dropped]')?.innerText === '3', null, { timeout: 10_000 });
  assert.match(await page.getByTestId('ble-devices').innerText(), /gap frames [1-9]/);

  await page.evaluate(() => window.__bleFake.drop());
  await page.waitForFunction(() => document.querySelector('[data-testid=ble-status]')?.dataset.status !== 'streaming', null, { timeout: 5_000 });
  assert.match(await status(page), /reconnecting|connecting/);
  await page.waitForFunction(() => document.querySelector('[data-testid=ble-status]')?.dataset.status === 'streaming', null, { timeout: 20_000 });
  assert.match(await page.getByTestId('ble-devices').innerText(), /reconnects 1/);
  // The time the device was away is a dropout: windows over it are skipped, not classified.
  await page.waitForFunction(() => /skipped over dropouts: [1-9]/.test(document.body.innerText), null, { timeout: 10_000 });
  // The axis mapping is the user's to change; a text that is not one is explained.
  const axes = page.getByTestId('ble-axes');
  assert.equal(await axes.inputValue(), 'x,y,z');
  await axes.fill('x,x,z');
  await axes.press('Enter');
  await axes.blur();
  assert.match(await page.getByTestId('error').innerText(), /right wrist: axis mapping `x,x,z`: an axis is used twice/);
  await axes.fill('-y,x,z');
  await axes.blur();
  await page.waitForFunction(() => !document.querySelector('[data-testid=error]'));
  assert.equal(await axes.inputValue(), '-y,x,z');
  await screenshot(page, 'live-streaming');
  // Disconnecting is the user's: the device is released and not reconnected.
  await page.getByTestId('ble-disconnect').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=ble-status]'));
  assert.equal(await page.evaluate(() => window.__bleFake.state.connected), false);
  await page.waitForTimeout(1500);
  assert.equal(await page.evaluate(() => window.__bleFake.state.connected), false);
  assert.deepEqual(problems, []);
  await context.close();
});

/** Waits for `predicate` in the page; a timeout says what the live view showed (a rare flake
 * of the four-wearable test once timed out here and left nothing to read). */
async function waitOrShow(page, predicate, timeout) {
  try {
    await page.waitForFunction(predicate, null, { timeout });
  } catch (error) {
    const shown = await page.locator('main').innerText().catch(() => '(the page is gone)');
    throw new Error(`${error.message}\nThe live view showed:\n${shown}`);
  }
}

test('four wearables stream for half a minute: both models answer every window, the teacher too', async () => {
  const { context, page, problems } = await openLivePage(app.browser, app.url);
  const positions = ['right_wrist', 'left_wrist', 'right_upper_arm', 'left_upper_arm'];
  for (const [i, position] of positions.entries()) {
    await page.getByTestId('ble-profile').selectOption('tsak-open');
    await page.getByTestId('ble-position').selectOption(position);
    await page.getByTestId('connect-ble').click();
    await page.waitForFunction((n) => [...document.querySelectorAll('[data-testid=ble-status]')]
      .filter((s) => s.dataset.status === 'streaming').length === n, i + 1, { timeout: 20_000 });
  }
  // With acc + gyro at all four ATR positions (orientation estimated in the page) and the
  // right wrist standing in for the E4 (the real-data teacher has no left E4: the OpenPack
  // sample it learned from has none), the teacher has every input. (It runs from the first
  // wearable on, without what is missing, so wait for the window that lacks nothing.)
  await waitOrShow(page, () => document.querySelector('[data-testid=teacher-prediction]')?.innerText !== '—'
    && document.querySelector('[data-testid=teacher-missing]')?.innerText === '', 30_000);
  assert.equal(await page.getByTestId('teacher-missing').innerText(), '');
  assert.match(await page.getByTestId('teacher-stand-ins').innerText(), /teacher's right_wrist\/e4_acc: the wrist wearables' accelerometers/);
  const windowsAt = async () => Number(await page.getByTestId('live-timeline').getAttribute('data-windows'));
  const start = await windowsAt();
  await page.waitForTimeout(30_000);
  // One window per hop of the live models (the embedded real-data bundle: 17 frames on the
  // 33.3 Hz live grid, a window every 0.51 s), none skipped, no packet lost.
  const { window: { hop }, sample_rate_hz: rate } = liveManifest();
  const expected = 30 / (hop / rate);
  const windows = (await windowsAt()) - start;
  assert.ok(Math.abs(windows - expected) <= 3, `${windows} windows in 30 s, ${expected.toFixed(1)} expected`);
  assert.match(await page.locator('.hint').filter({ hasText: 'skipped' }).innerText(), /dropouts: 0$/);
  for (const dropped of await page.getByTestId('ble-dropped').allInnerTexts()) assert.equal(dropped, '0');
  for (const id of ['student', 'teacher']) {
    assert.match(await page.getByTestId(`${id}-latency-percentiles`).innerText(), /^p50 [\d.]+ ms · p95 [\d.]+ ms$/);
    assert.equal(await page.locator(`[data-testid=${id}-prediction] ~ .probabilities li`).count(), 3);
  }
  // The timeline paints both models' rows (the label row stays empty: nothing is recorded).
  const painted = await page.evaluate(() => {
    const canvas = document.querySelector('[data-testid=live-timeline]');
    const context = canvas.getContext('2d');
    const row = (r) => {
      const { data } = context.getImageData(80, r * 22 + 5, canvas.width - 80, 1);
      let coloured = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0) coloured++;
      return coloured / (data.length / 4);
    };
    return [row(0), row(1), row(2)];
  });
  assert.equal(painted[0], 0, 'no label row without a recording');
  assert.ok(painted[1] > 0.45 && painted[2] > 0.45, `half a minute of the last minute painted: ${painted}`);
  await screenshot(page, 'live-four-wearables');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the vendor profiles stream through the page\'s own link code and are classified live', async () => {
  const { context, page, problems } = await openLivePage(app.browser, app.url);
  const expected = {
    // What each profile's setup writes (src/ble/profile.rs), and the rate its device then sends.
    microbit: { hz: 50, writes: [[20, 0]] },
    witmotion: { hz: 50, writes: [[0xff, 0xaa, 0x69, 0x88, 0xb5], [0xff, 0xaa, 0x03, 0x08, 0x00], [0xff, 0xaa, 0x00, 0x00, 0x00]] },
    movesense: { hz: 52, writes: [[1, 99, ...Buffer.from('/Meas/IMU6/52')]] },
    // Start accelerometer, then gyroscope: 52 Hz, 16 bits, 8 G / 2000 deg/s, 3 channels.
    'polar-pmd': {
      hz: 52,
      writes: [[2, 2, 0, 1, 52, 0, 1, 1, 16, 0, 2, 1, 8, 0, 4, 1, 3], [2, 5, 0, 1, 52, 0, 1, 1, 16, 0, 2, 1, 0xd0, 0x07, 4, 1, 3]],
    },
  };
  const windows = async () => Number(await page.getByTestId('live-timeline').getAttribute('data-windows'));
  for (const [profile, { hz, writes }] of Object.entries(expected)) {
    await page.getByTestId('ble-profile').selectOption(profile);
    await page.getByTestId('ble-position').selectOption('right_wrist');
    await page.getByTestId('connect-ble').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=ble-status]')?.dataset.status === 'streaming', null, { timeout: 20_000 });
    const state = await page.evaluate((p) => window.__bleFake.all.find((s) => s.profile === p), profile);
    assert.deepEqual(state.writes, writes, `${profile}: its setup writes`);
    // Its packets decode at its rate, and its windows reach the models.
    await page.waitForFunction((hz) => Math.abs(Number(document.querySelector('[data-testid=ble-rate]')?.dataset.value) - hz) < 0.15 * hz, hz, { timeout: 15_000 });
    const before = await windows();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=live-timeline]').dataset.windows) >= n + 2, before, { timeout: 20_000 });
    assert.match(await page.getByTestId('ble-devices').innerText(), /dropped packets 0/);
    assert.doesNotMatch(await page.getByTestId('ble-devices').innerText(), /unreadable packets/, `${profile}: every packet decodes`);
    await page.getByTestId('ble-disconnect').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid=ble-status]'));
  }
  assert.notEqual(await page.getByTestId('student-prediction').innerText(), '—');
  assert.deepEqual(problems, []);
  await context.close();
});

test('without Web Bluetooth the live view explains why and leads back to replay', async () => {
  const { page, problems } = await openPage(app.browser, app.url);
  await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  await page.getByTestId('mode-live').click();
  const notice = page.getByTestId('ble-unsupported');
  await notice.waitFor();
  assert.match(await notice.innerText(), /no Web Bluetooth/);
  await screenshot(page, 'live-unsupported');
  await notice.getByRole('button').click();
  await page.getByTestId('replay-demo').waitFor();
  assert.deepEqual(problems, []);
});
