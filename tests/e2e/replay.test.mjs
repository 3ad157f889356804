// The replay app end to end in headless Chromium against the built dist/: the embedded demo
// replays to the end at full speed and shows the F1 values `trainer evaluate` computes for the
// same session and weights; a malformed file is reported by name and line while the app keeps
// its session; the backend badge says where each model runs: the faster backend, timed on
// this device, unless the user chose one.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendDecided, serveDist, launchChromium, openPage, screenshot, repoRoot, trainer } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await serveDist();
  browser = await launchChromium({ webgpu: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the app and waits until the worker has loaded the models on some backend. */
async function openApp(b = browser) {
  const opened = await openPage(b, server.url);
  await opened.page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  return opened;
}

async function useCpu(page) {
  await page.getByTestId('backend-choice').selectOption('cpu');
  assert.equal(await backendDecided(page), 'CPU');
}

/** The times the reason line gives: `{ student: { cpu, gpu }, teacher: { cpu, gpu } }`. */
async function timings(page) {
  const reason = await page.getByTestId('backend-reason').innerText();
  const model = (name) => {
    const m = reason.match(new RegExp(`${name}: CPU ([\\d.]+) ms, WebGPU ([\\d.]+) ms`));
    assert.ok(m, `${name} timings in "${reason}"`);
    return { cpu: Number(m[1]), gpu: Number(m[2]) };
  };
  return { reason, student: model('student'), teacher: model('teacher') };
}

const remembered = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('tsak.backend.timings') ?? '[]'));

async function replayDemoAtFullSpeed(page) {
  await page.getByTestId('speed').selectOption('max');
  await page.getByTestId('replay-demo').click();
  await page.getByTestId('final-student').waitFor({ timeout: 120_000 });
}

test('the demo replays to the end at full speed and shows the F1 of trainer evaluate', async () => {
  const { page, problems } = await openApp();
  await useCpu(page);
  await replayDemoAtFullSpeed(page);
  const expected = JSON.parse(
    execFileSync(trainer, [
      'evaluate',
      '--weights', join(repoRoot, 'model-weights', 'synthetic'),
      '--data', `openpack:${join(repoRoot, 'assets', 'demo')}`,
      '--split', 'all',
      '--json',
    ]).toString(),
  );
  const shown = async (id) => Number(await page.getByTestId(id).getAttribute('data-value'));
  assert.equal(await shown('student-f1'), expected.student.macro_f1);
  assert.equal(await shown('teacher-f1'), expected.teacher.macro_f1);
  assert.match(await page.getByTestId('progress').innerText(), /^(\d+) of \1 windows$/);
  assert.match(await page.getByTestId('student-latency').innerText(), /^p50 [\d.]+ ms · p95 [\d.]+ ms$/);
  assert.match(await page.getByTestId('teacher-latency').innerText(), /^p50 [\d.]+ ms · p95 [\d.]+ ms$/);
  assert.notEqual(await page.getByTestId('student-prediction').innerText(), '—');
  // The export is built in the page from the same predictions.
  const download = page.waitForEvent('download');
  await page.getByTestId('export-predictions').click();
  const csv = await (await download).createReadStream().then(
    (stream) => new Promise((resolve) => { let text = ''; stream.on('data', (c) => (text += c)); stream.on('end', () => resolve(text)); }),
  );
  const rows = csv.trim().split('\n');
  assert.match(rows[0], /^window,start_ms,end_ms,truth,student,/);
  assert.equal(rows.length - 1, Number((await page.getByTestId('progress').innerText()).split(' ')[0]));
  await screenshot(page, 'replay-demo-cpu');
  assert.deepEqual(problems, []);
});

/** What `trainer evaluate --json` scores these weights at on this OpenPack folder (`--split all`). */
function evaluate(weights, data) {
  const args = ['evaluate', '--weights', join(repoRoot, weights), '--data', `openpack:${join(repoRoot, data)}`, '--split', 'all', '--json'];
  return JSON.parse(execFileSync(trainer, args).toString());
}

test('the real OpenPack demo replays with the real-data models, credits its data, and other models can replay it', async () => {
  const { page, problems } = await openApp();
  await useCpu(page);
  await page.getByTestId('speed').selectOption('max');
  await page.getByTestId('replay-real-demo').click();
  await page.getByTestId('final-student').waitFor({ timeout: 120_000 });
  assert.match(await page.getByTestId('session-name').innerText(), /OpenPack sample U0209\/S0500, held-out last 30%/);
  assert.match(await page.getByTestId('session-attribution').innerText(), /OpenPack dataset .*CC BY-NC-SA 4\.0/);
  assert.match(await page.getByTestId('session-facts').innerText(), /^6\.8 minutes at 33\.3 Hz/);
  assert.match(await page.getByTestId('student-models').innerText(), /real OpenPack sample/);
  assert.equal(await page.getByTestId('model-select').inputValue(), 'openpack-sample');
  // Both models ran on every window, with the scores trainer evaluate gives the real bundle here.
  const real = evaluate('model-weights', 'assets/demo-openpack');
  const shown = async (id) => Number(await page.getByTestId(id).getAttribute('data-value'));
  assert.equal(await shown('student-f1'), real.student.macro_f1);
  assert.equal(await shown('teacher-f1'), real.teacher.macro_f1);
  assert.notEqual(await page.getByTestId('teacher-prediction').innerText(), '—');
  await screenshot(page, 'replay-real-demo');
  // The synthetic-data models replay the same session on request, and score what evaluate says.
  const synthetic = evaluate('model-weights/synthetic', 'assets/demo-openpack');
  await page.getByTestId('model-select').selectOption('synthetic');
  await page.waitForFunction(
    (f1) => Number(document.querySelector('[data-testid=student-f1]')?.dataset.value) === f1
      && /^(\d+) of \1 windows$/.test(document.querySelector('[data-testid=progress]')?.innerText ?? ''),
    synthetic.student.macro_f1,
    { timeout: 120_000 },
  );
  assert.match(await page.getByTestId('student-models').innerText(), /synthetic/);
  assert.equal(await shown('teacher-f1'), synthetic.teacher.macro_f1);
  assert.match(await page.getByTestId('session-attribution').innerText(), /CC BY-NC-SA 4\.0/);
  assert.deepEqual(problems, []);
});

test('a malformed file shows where it is wrong and the app keeps its session', async () => {
  const { page, problems } = await openApp();
  await useCpu(page);
  await replayDemoAtFullSpeed(page);
  const before = await page.getByTestId('session-name').innerText();
  const header = 'unixtime,acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z,quat_w,quat_x,quat_y,quat_z\n';
  const bad = `${header}1000,0.1,0.2,0.9,1,2,3,1,0,0,0\n1033,0.1,oops,0.9,1,2,3,1,0,0,0\n`;
  await page.getByTestId('file-input').setInputFiles({ name: 'atr01.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  const error = page.getByTestId('error');
  await error.waitFor({ timeout: 30_000 });
  assert.match(await error.innerText(), /atr01\.csv, line 3, field `acc_y`/);
  assert.equal(await page.getByTestId('session-name').innerText(), before);
  await screenshot(page, 'replay-bad-file');
  // Still working: the demo plays again from the start.
  await page.getByTestId('speed').selectOption('64');
  await page.getByTestId('play').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=clock]').innerText.startsWith('0:00 /'));
  assert.deepEqual(problems, []);
});

/** The WebGPU module's files fetched since `since` requests were served. */
const webgpuModuleFetched = (since) => server.served.slice(since).filter((path) => path.startsWith('/webgpu/'));

test('on the software adapter each model runs where it was timed faster, the timing is remembered, and the user can choose', async (t) => {
  const since = server.served.length;
  const { page, problems } = await openApp();
  // Timed now: Chromium's software adapter is far slower than wasm SIMD for both models.
  assert.equal(await backendDecided(page), 'CPU');
  // Timing WebGPU needed the WebGPU module, a wasm of its own beside the app's.
  assert.deepEqual(webgpuModuleFetched(since).sort(), ['/webgpu/tsak_webgpu.js', '/webgpu/tsak_webgpu_bg.wasm']);
  const first = await timings(page);
  assert.match(first.reason, /timed on this device/);
  t.diagnostic(first.reason);
  for (const model of [first.student, first.teacher]) {
    assert.ok(model.cpu > 0 && model.gpu > model.cpu, `the faster backend was chosen: ${first.reason}`);
  }
  let kept = await remembered(page);
  assert.equal(kept.length, 1);
  assert.match(kept[0].device, /cores/);
  // Other models are timed anew when they replay (the synthetic demo's own bundle).
  await page.getByTestId('replay-demo').click();
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('tsak.backend.timings') ?? '[]').length === 2, null, { timeout: 60_000 });
  // Next visit on this device: the timing is recalled, not repeated.
  await page.reload();
  await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  assert.equal(await backendDecided(page), 'CPU');
  const recalled = await timings(page);
  assert.match(recalled.reason, /as timed earlier on this device/);
  assert.deepEqual([recalled.student, recalled.teacher], [first.student, first.teacher]);
  kept = await remembered(page);
  assert.equal(kept.length, 2);
  // The user overrides: WebGPU for both, and the demo runs on it.
  await page.getByTestId('backend-choice').selectOption('webgpu');
  assert.equal(await backendDecided(page), 'WebGPU');
  assert.equal(await page.getByTestId('backend-reason').innerText(), '(chosen by the user)');
  await page.getByTestId('speed').selectOption('max');
  await page.getByTestId('replay-demo').click();
  // A software adapter is slow: a few windows are enough to see predictions arrive.
  await page.waitForFunction(() => /^[1-9]\d* of/.test(document.querySelector('[data-testid=progress]')?.innerText ?? ''), null, { timeout: 120_000 });
  assert.notEqual(await page.getByTestId('student-prediction').innerText(), '—');
  await screenshot(page, 'replay-webgpu');
  // The choice is remembered too.
  await page.reload();
  await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  assert.equal(await backendDecided(page), 'WebGPU');
  assert.equal(await page.getByTestId('backend-choice').inputValue(), 'webgpu');
  await page.getByTestId('backend-choice').selectOption('fastest');
  assert.equal(await backendDecided(page), 'CPU');
  assert.match(await page.getByTestId('backend-reason').innerText(), /as timed earlier on this device/);
  assert.deepEqual(problems, []);
});

test('without WebGPU the app falls back to the CPU and says why', async () => {
  const plain = await launchChromium({ webgpu: false });
  try {
    const since = server.served.length;
    const { page, problems } = await openApp(plain);
    assert.equal(await backendDecided(page), 'CPU');
    assert.match(await page.getByTestId('backend-reason').innerText(), /WebGPU|adapter|navigator\.gpu/);
    // A browser without WebGPU never downloads the WebGPU module.
    assert.deepEqual(webgpuModuleFetched(since), []);
    await screenshot(page, 'replay-no-webgpu');
    assert.deepEqual(problems, []);
  } finally {
    await plain.close();
  }
});

test('a dropped one-wrist recording replays with both models and says what the teacher lacks', async () => {
  const { page, problems } = await openApp();
  await useCpu(page);
  let csv = 'timestamp_ms,right_wrist/acc_x,right_wrist/acc_y,right_wrist/acc_z,label\n';
  for (let i = 0; i < 300; i++) {
    csv += `${1_700_000_000_000 + i * 33},${Math.sin(i / 5).toFixed(3)},-0.9,0.1,${i < 150 ? 'Picking' : 'Null'}\n`;
  }
  const transfer = await page.evaluateHandle((text) => {
    const data = new DataTransfer();
    data.items.add(new File([text], 'line3-anna.csv', { type: 'text/csv' }));
    return data;
  }, csv);
  await page.getByTestId('speed').selectOption('max');
  await page.locator('.sources').dispatchEvent('drop', { dataTransfer: transfer });
  await page.getByTestId('final-student').waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId('session-name').innerText(), 'line3-anna.csv');
  assert.notEqual(await page.getByTestId('student-f1').getAttribute('data-value'), '');
  assert.match(await page.locator('.missing').last().innerText(), /teacher runs without .*left_wrist\/acc, /);
  assert.notEqual(await page.getByTestId('teacher-f1').getAttribute('data-value'), '');
  await screenshot(page, 'replay-dropped-recording');
  assert.deepEqual(problems, []);
});

test('a dropped session folder is walked, its first session replayed and the rest named', async () => {
  const { page, problems } = await openApp();
  await useCpu(page);
  // The demo's folder, plus a file the app does not read, as a user would drop it from disk.
  const root = await mkdtemp(join(tmpdir(), 'tsak-drop-'));
  const folder = join(root, 'U0101');
  await cp(join(repoRoot, 'assets', 'demo', 'U0101'), folder, { recursive: true });
  await mkdir(join(folder, 'kinect'), { recursive: true });
  await writeFile(join(folder, 'kinect', 'S0100.json'), '{}');
  await page.getByTestId('speed').selectOption('max');
  // A real drop through the browser (CDP Input.dispatchDragEvent), so the page sees a
  // directory entry, not a scripted DataTransfer.
  const box = await page.locator('.sources').boundingBox();
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: [folder], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop']) {
    await cdp.send('Input.dispatchDragEvent', { type, x, y, data });
  }
  await page.getByTestId('final-student').waitFor({ timeout: 120_000 });
  assert.equal(await page.getByTestId('session-name').innerText(), 'U0101/S0100');
  assert.match(await page.locator('.warnings').innerText(), /1 file\(s\) in the folder are not session files/);
  assert.match(await page.getByTestId('progress').innerText(), /^(\d+) of \1 windows$/);
  await screenshot(page, 'replay-dropped-folder');
  assert.deepEqual(problems, []);
});
