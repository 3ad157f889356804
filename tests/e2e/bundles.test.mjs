// Bring your own model, end to end in headless Chromium: the real `trainer` trains a bundle on a
// team's own dataset with its own classes (tests/fixtures/team-recordings: real data, OpenPack
// U0209's wrists, the team's class names) and zips it; the zip is loaded through the model
// picker, a recording the bundle never saw is replayed and answered in the team's classes; the
// bundle survives a reload; damaged bundles are refused by name while the app keeps working.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appUnderTest, distDir, openPage, screenshot, serveDist, teamRecordings as team, trainTeamBundle } from './harness.mjs';

const teamClasses = ['Idle', 'Pack items', 'Build box', 'Labels', 'Dispatch'];
const app = appUnderTest({ webgpu: false });
let work;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'tsak-bundles-'));
  trainTeamBundle(work, join(work, 'team.zip'));
});

async function openApp() {
  const opened = await openPage(app.browser, app.url);
  await opened.page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  return opened;
}

async function loadTeamZip(page) {
  await page.getByTestId('model-input').setInputFiles(join(work, 'team.zip'));
  await page.waitForFunction(
    () => /Line 3 packing team/.test(document.querySelector('[data-testid=model-name]')?.innerText ?? ''),
    null,
    { timeout: 60_000 },
  );
}

test('a zipped bundle trained on a team dataset replays its recordings in its classes', async () => {
  const { page, problems } = await openApp();
  assert.match(await page.getByTestId('model-name').innerText(), /OpenPack U0209/, 'the built-in real-data models first');
  await loadTeamZip(page);
  assert.equal(await page.getByTestId('model-classes').textContent(), teamClasses.join(', '));
  assert.match(await page.getByTestId('model-licence').textContent(), /recordings' owners/);
  // The facts are the manifest's: inputs, KD strategy, size, held-out scores.
  const manifest = JSON.parse(await readFile(join(work, 'bundle', 'manifest.json'), 'utf8'));
  const student = await page.getByTestId('model-student').textContent();
  assert.ok(student.includes(`3 inputs (${manifest.student.normalisation.channels.join(', ')}), ${manifest.student.kd_strategy} KD`), student);
  assert.ok(student.includes(`${manifest.student.params} params`) && student.includes(`macro-F1 ${manifest.student.metrics.macro_f1.toFixed(3)}`), student);
  // Its size: every file the manifest lists, and the student's alone.
  const files = [manifest.teacher, manifest.semantic, manifest.student].flatMap((m) => [m.weights, m.config]);
  const kb = (bytes) => (bytes / 1000).toFixed(1);
  const studentBytes = manifest.student.weights.size_bytes + manifest.student.config.size_bytes;
  assert.equal(
    await page.getByTestId('model-size').textContent(),
    `${kb(files.reduce((sum, f) => sum + f.size_bytes, 0))} kB of weights and configs; the student's ${kb(studentBytes)} kB`,
  );
  const teacher = await page.getByTestId('model-teacher').textContent();
  assert.ok(teacher.startsWith('6 inputs') && teacher.includes(`macro-F1 ${manifest.semantic.metrics.macro_f1.toFixed(3)}`), teacher);
  const legend = await page.getByTestId('operation').allInnerTexts();
  assert.deepEqual(legend.map((t) => t.replace(/^\d+\s+/, '')), teamClasses.slice(1));
  // A recording the bundle never saw (the held-out part), opened like any file.
  await page.getByTestId('speed').selectOption('max');
  await page.getByTestId('file-input').setInputFiles(join(team, 'u0209-held-out.csv'));
  await page.getByTestId('final-student').waitFor({ timeout: 120_000 });
  const f1 = Number(await page.getByTestId('student-f1').getAttribute('data-value'));
  assert.ok(f1 >= 0 && f1 <= 1, `student macro-F1 ${f1}`);
  for (const which of ['student', 'teacher']) {
    const said = await page.getByTestId(`${which}-prediction`).innerText();
    assert.ok(teamClasses.some((name) => said.includes(name)), `${which} says "${said}"`);
  }
  assert.match(await page.getByTestId('student-models').innerText(), /Line 3 packing team .*loaded/);
  await screenshot(page, 'bundle-team-replay');
  assert.deepEqual(problems, []);
});

test('a loaded bundle is kept across a reload and can be removed', async () => {
  const { page, problems } = await openApp();
  await loadTeamZip(page);
  await page.reload();
  await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  const option = page.locator('[data-testid=model-select] option', { hasText: 'Line 3 packing team' });
  await option.waitFor({ state: 'attached', timeout: 30_000 });
  await page.getByTestId('model-select').selectOption(await option.getAttribute('value'));
  await page.waitForFunction(() => /Line 3/.test(document.querySelector('[data-testid=model-name]').innerText));
  await page.getByTestId('model-remove').click();
  await option.waitFor({ state: 'detached', timeout: 30_000 });
  assert.match(await page.getByTestId('model-name').innerText(), /OpenPack U0209/, 'back to the built-in models');
  assert.deepEqual(problems, []);
});

test('damaged bundles are refused by name and the models in use stay', async () => {
  const { page, problems } = await openApp();
  await page.getByTestId('speed').selectOption('max');
  await page.getByTestId('replay-real-demo').click();
  await page.getByTestId('final-student').waitFor({ timeout: 120_000 });
  const session = await page.getByTestId('session-name').innerText();
  // A folder whose student weights lost a byte.
  const damaged = join(work, 'damaged');
  await cp(join(work, 'bundle'), damaged, { recursive: true });
  const student = await readFile(join(damaged, 'student.bpk'));
  student[student.length >> 1] ^= 0xff;
  await writeFile(join(damaged, 'student.bpk'), student);
  await page.getByTestId('model-folder-input').setInputFiles(damaged);
  const error = page.getByTestId('error');
  await error.waitFor({ timeout: 30_000 });
  assert.match(await error.innerText(), /student\.bpk: does not match the manifest \(size or sha256 differ\)/);
  // Not a zip at all.
  await page.getByTestId('model-input').setInputFiles({ name: 'notes.zip', mimeType: 'application/zip', buffer: Buffer.from('not a zip') });
  await page.waitForFunction(() => /notes\.zip: .*not a readable zip/.test(document.querySelector('[data-testid=error]')?.innerText ?? ''));
  // Nothing changed: the same models, the same session, still playing.
  assert.match(await page.getByTestId('model-name').innerText(), /OpenPack U0209/);
  assert.equal(await page.getByTestId('session-name').innerText(), session);
  assert.equal(await page.locator('[data-testid=model-select] option').count(), 2);
  await page.getByTestId('speed').selectOption('64');
  await page.getByTestId('play').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=clock]').innerText.startsWith('0:00 /'));
  await screenshot(page, 'bundle-damaged');
  assert.deepEqual(problems, []);
});

test('?model= opens the app with a bundle from the same site, and only from it', async () => {
  // The site: the app with the team's bundle served beside it.
  const site = join(work, 'site');
  await cp(distDir, site, { recursive: true });
  await mkdir(join(site, 'models'));
  await cp(join(work, 'team.zip'), join(site, 'models', 'line3.zip'));
  const intranet = await serveDist(site);
  try {
    const { page, problems } = await openPage(app.browser, `${intranet.url}?model=models/line3.zip`);
    await page.waitForFunction(
      () => /Line 3 packing team/.test(document.querySelector('[data-testid=model-name]')?.innerText ?? ''),
      null,
      { timeout: 60_000 },
    );
    assert.equal(await page.getByTestId('model-classes').textContent(), teamClasses.join(', '));
    assert.deepEqual(problems, []);
    const elsewhere = await openPage(app.browser, `${intranet.url}?model=${encodeURIComponent('http://example.invalid/line3.zip')}`);
    const error = elsewhere.page.getByTestId('error');
    await error.waitFor({ timeout: 30_000 });
    assert.match(await error.innerText(), /bundles load only from this site/);
    assert.match(await elsewhere.page.getByTestId('model-name').innerText(), /OpenPack U0209/);
    const missing = await openPage(app.browser, `${intranet.url}?model=models/none.zip`);
    await missing.page.getByTestId('error').waitFor({ timeout: 30_000 });
    assert.match(await missing.page.getByTestId('error').innerText(), /models\/none\.zip: the site answered HTTP 404/);
  } finally {
    await intranet.close();
  }
});
