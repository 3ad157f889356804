// Kiosk mode end to end in headless Chromium: `?kiosk` starts the attract loop (the demo with
// large type and no controls, restarting at its end, the screen kept awake where the browser
// allows), a touch shows the Leave button and one tap on it leaves; the header's Kiosk button
// starts it too. And the soak: 8 hours of a booth's 1x loop, window by window through the
// per-window path (`run_window`, each timed) on a playback clock sped up with `?timescale=`,
// keep the page's and the worker's wasm memory and the page's JS heap within 1 MiB of where they
// were after warm-up (figures written to artifacts/kiosk-soak.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { appUnderTest, artifactsDir, screenshot } from './harness.mjs';

/** The demo lasts 5.1 minutes: this many loops make 8 hours. */
const EIGHT_HOURS_OF_LOOPS = Math.ceil((8 * 60) / 5.1);
const MiB = 1024 * 1024;

const app = appUnderTest({ webgpu: false });

const loops = (page) => page.getByTestId('kiosk').getAttribute('data-loops').then(Number);

test('?kiosk loops the demo without controls; a touch shows Leave, and one tap on it leaves', async () => {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
  await page.goto(`${app.url}?kiosk&speed=max`);
  await page.waitForSelector('[data-testid=kiosk]', { state: 'attached', timeout: 60_000 });
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=kiosk]')?.dataset.loops) >= 2, null, { timeout: 120_000 });
  // The demo plays, large, with no controls in sight.
  assert.notEqual(await page.getByTestId('student-prediction').innerText(), '—');
  assert.equal(await page.getByTestId('replay-demo').isVisible(), false);
  assert.equal(await page.getByTestId('speed').isVisible(), false);
  assert.equal(await page.getByTestId('kiosk-exit').count(), 0);
  const size = await page.getByTestId('student-prediction').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(size >= 56, `large type: ${size} px`);
  // Awake: the browser grants a screen wake lock to a page, and the kiosk holds one.
  const grantable = await page.evaluate(async () => {
    try {
      const lock = await navigator.wakeLock.request('screen');
      await lock.release();
      return true;
    } catch {
      return false;
    }
  });
  assert.equal(grantable, true, 'headless Chromium grants a page a screen wake lock');
  await page.waitForFunction(() => document.querySelector('[data-testid=kiosk]')?.dataset.awake === 'true', null, { timeout: 5_000 });
  await screenshot(page, 'kiosk');
  // A touch shows the way out for a few seconds; one tap on it leaves.
  await page.mouse.click(640, 400);
  await page.getByTestId('kiosk-exit').waitFor({ timeout: 2_000 });
  await page.getByTestId('kiosk-exit').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=kiosk]'));
  assert.equal(await page.getByTestId('replay-demo').isVisible(), true);
  // The header's Kiosk button starts it again; Escape leaves.
  await page.getByTestId('kiosk-start').click();
  await page.waitForSelector('[data-testid=kiosk]', { state: 'attached' });
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('[data-testid=kiosk]'));
  assert.deepEqual(problems, []);
  await page.close();
});

test(`an 8-hour kiosk loop at 1x (${EIGHT_HOURS_OF_LOOPS} demo loops, clock sped up) keeps memory flat`, async () => {
  const page = await app.browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  // 1x playback (no speed=max: no batches), its clock 1000 times the wall clock's pace; a loop
  // ends only when every window is answered, so the models' own speed sets the pace.
  await page.goto(`${app.url}?kiosk&timescale=1000`);
  await page.waitForSelector('[data-testid=kiosk]', { state: 'attached', timeout: 60_000 });
  const sample = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    const kiosk = page.getByTestId('kiosk');
    return {
      loops: await loops(page),
      jsHeap: usedSize,
      pageWasm: Number(await kiosk.getAttribute('data-page-memory')),
      workerWasm: Number(await kiosk.getAttribute('data-worker-memory')),
    };
  };
  const waitLoops = (n) =>
    page.waitForFunction((n) => Number(document.querySelector('[data-testid=kiosk]')?.dataset.loops) >= n, n, { timeout: 600_000, polling: 500 });
  // Warm-up: the first loops allocate the models' buffers and caches.
  await waitLoops(5);
  const warm = await sample();
  const started = Date.now();
  await waitLoops(EIGHT_HOURS_OF_LOOPS);
  const end = await sample();
  const growth = {
    jsHeap: end.jsHeap - warm.jsHeap,
    pageWasm: end.pageWasm - warm.pageWasm,
    workerWasm: end.workerWasm - warm.workerWasm,
  };
  await mkdir(artifactsDir, { recursive: true });
  await writeFile(
    join(artifactsDir, 'kiosk-soak.json'),
    JSON.stringify({ loops: EIGHT_HOURS_OF_LOOPS, seconds: (Date.now() - started) / 1000, warm, end, growth }, null, 2),
  );
  // The per-window path ran: every window timed alone, so the cards have latency percentiles
  // (waited for: a loop that just restarted shows them again after its warm-up windows).
  await page.waitForFunction(
    () => /^p50 [\d.]+ ms · p95 [\d.]+ ms$/.test(document.querySelector('[data-testid=student-latency]')?.innerText ?? ''),
    null,
    { timeout: 60_000 },
  );
  // Bounds: less than 1 MiB of growth after warm-up, over 8 hours of loops, for either wasm
  // memory (it only ever grows, in 64 KiB pages) and for the collected JS heap.
  assert.ok(warm.workerWasm > 0 && warm.pageWasm > 0, JSON.stringify(warm));
  assert.ok(growth.workerWasm < MiB, `worker wasm grew ${growth.workerWasm} bytes`);
  assert.ok(growth.pageWasm < MiB, `page wasm grew ${growth.pageWasm} bytes`);
  assert.ok(growth.jsHeap < MiB, `JS heap grew ${growth.jsHeap} bytes`);
  await page.close();
});
