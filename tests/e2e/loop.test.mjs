// The whole bring-your-own-model loop in headless Chromium, as a team would run it: two wearables
// (the Web Bluetooth stand-in, fake-bluetooth.js) stream in the Live tab; a shift is recorded
// with the team's own label names and exported (recording CSV + spec); the real `trainer`
// trains on it (`pipeline --quick`) and zips the bundle; the zip is loaded into the page; live
// mode runs the team's models on the team's classes, and its label buttons are theirs; a second
// shift recorded that way is replayed and scored in their classes; a student-only export of the
// same run works too, the teacher's panels saying there is none.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { appUnderTest, openLivePage, readStoredZip, screenshot, trainer } from './harness.mjs';

const app = appUnderTest({ webgpu: false });
const teamLabels = ['Fold box', 'Tape box', 'Stack'];
let work;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'tsak-loop-'));
});

const text = (page, id) => page.getByTestId(id).innerText();
const waitFor = (page, predicate, arg, timeout = 20_000) => page.waitForFunction(predicate, arg, { timeout });

async function connect(page, position) {
  await page.getByTestId('ble-profile').selectOption('tsak-open');
  await page.getByTestId('ble-position').selectOption(position);
  await page.getByTestId('connect-ble').click();
  await waitFor(page, (p) => document.querySelector(`.device[data-position=${p}] [data-testid=ble-status]`)?.dataset.status === 'streaming', position);
}

/** Labels the frames from now on: a free label typed, or a class button of that name. */
async function label(page, name, { typed }) {
  if (typed) {
    await page.getByTestId('record-label').fill(name);
    await page.getByTestId('record-label').press('Enter');
    await page.getByTestId('record-label').blur();
  } else {
    await page.locator('[data-testid=label-option]', { hasText: name }).click();
  }
  await waitFor(page, (name) => document.querySelector('[data-testid=record-status]')?.innerText.endsWith(`now: ${name}`), name);
}

/** Records `cycles` rounds of the team's labels, `seconds` each, then stops and exports the
 * recording CSV + spec into `work/<folder>/`; returns the spec's path. */
async function recordShift(page, name, { cycles, seconds, typed }) {
  await page.getByTestId('record-name').fill(name);
  await page.getByTestId('record-subject').fill('anna');
  await page.getByTestId('record').click();
  await waitFor(page, (name) => document.querySelector('[data-testid=record-status]')?.innerText.startsWith(`Recording "${name}"`), name);
  for (let c = 0; c < cycles; c++) {
    for (const operation of teamLabels) {
      await label(page, operation, { typed: typed && c === 0 });
      await page.waitForTimeout(seconds * 1000);
    }
  }
  await page.getByTestId('stop-record').click();
  const row = page.locator('[data-testid=recordings] li', { hasText: name });
  await waitFor(page, (name) => [...document.querySelectorAll('[data-testid=recordings] li')]
    .some((li) => li.innerText.includes(name) && li.dataset.state === 'stopped'), name, 10_000);
  const [file] = await Promise.all([page.waitForEvent('download'), row.getByTestId('export-csv').click()]);
  let spec;
  for (const [path, contents] of readStoredZip(await readFile(await file.path()))) {
    await mkdir(dirname(join(work, path)), { recursive: true });
    await writeFile(join(work, path), contents);
    if (path.endsWith('.toml')) spec = join(work, path);
  }
  return spec;
}

/** Loads a bundle zip through the model picker and waits until it is the one in use. */
async function loadBundle(page, zip, check) {
  await page.getByTestId('mode-replay').click();
  await page.getByTestId('model-input').setInputFiles(zip);
  await waitFor(page, check, null, 60_000);
}

test('record with the team labels, train, load, run live and replay in the team classes', async () => {
  const { context, page, problems } = await openLivePage(app.browser, app.url);
  await connect(page, 'right_wrist');
  await connect(page, 'left_wrist');
  assert.match(await text(page, 'live-models'), /OpenPack U0209|real OpenPack sample/);

  // 1. A shift recorded with the team's own labels, typed as they are first used.
  const spec = await recordShift(page, 'shift 1', { cycles: 3, seconds: 5, typed: true });
  const specText = await readFile(spec, 'utf8');
  for (const name of teamLabels) assert.match(specText, new RegExp(`name = "${name}"`));
  assert.doesNotMatch(specText, /Picking/, 'only the classes the shift used');

  // 2. The real trainer trains on the export and zips the bundle (and a student-only one).
  const run = join(work, 'run');
  const zip = join(work, 'team.zip');
  const studentOnly = join(work, 'student-only.zip');
  execFileSync(trainer, [
    'pipeline', '--quick', '--data', `recordings:${spec}`, '--split', 'time:0.7',
    '--run', run, '--report', join(work, 'report'), '--export', join(work, 'bundle'), '--zip', zip,
  ], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync(trainer, ['export', '--run', run, '--to', join(work, 'student-only'), '--student-only', '--zip', studentOnly],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  const manifest = JSON.parse(await readFile(join(work, 'bundle', 'manifest.json'), 'utf8'));
  const classes = manifest.classes.map((c) => c.name);
  assert.deepEqual(classes.filter((c) => teamLabels.includes(c)).sort(), [...teamLabels].sort());
  assert.equal(classes.length, teamLabels.length + 1, `the team's classes and Null: ${classes}`);
  const inTeamClasses = (said) => classes.some((name) => said.includes(name));

  // 3. The bundle loads; live mode follows it: the team's models, classes and labels.
  await loadBundle(page, zip, () => /shift 1/.test(document.querySelector('[data-testid=model-name]')?.innerText ?? ''));
  assert.equal(await page.getByTestId('model-classes').textContent(), classes.join(', '));
  await page.getByTestId('mode-live').click();
  await waitFor(page, () => /shift 1 \(loaded\)/.test(document.querySelector('[data-testid=live-models]')?.innerText ?? ''));
  assert.deepEqual(await page.getByTestId('label-option').allInnerTexts(), classes);
  for (const which of ['student', 'teacher']) {
    await waitFor(page, (which) => document.querySelector(`[data-testid=${which}-prediction]`)?.innerText !== '—', which, 30_000);
    const said = await text(page, `${which}-prediction`);
    assert.ok(inTeamClasses(said), `live ${which} says "${said}", not one of ${classes}`);
  }
  assert.equal(await text(page, 'live-needs'), '', 'both wrists stream: nothing missing');
  await screenshot(page, 'loop-live-team-models');

  // 4. A second shift, labelled with the team's class buttons, replayed and scored.
  const heldOut = await recordShift(page, 'shift 2', { cycles: 1, seconds: 5, typed: false });
  await page.getByTestId('mode-replay').click();
  await page.getByTestId('speed').selectOption('max');
  await page.getByTestId('file-input').setInputFiles(join(dirname(heldOut), 'shift-2.csv'));
  await page.getByTestId('final-student').waitFor({ timeout: 120_000 });
  const f1 = Number(await page.getByTestId('student-f1').getAttribute('data-value'));
  assert.ok(f1 >= 0 && f1 <= 1, `student macro-F1 ${f1}`);
  for (const which of ['student', 'teacher']) {
    const said = await text(page, `${which}-prediction`);
    assert.ok(inTeamClasses(said), `replay ${which} says "${said}"`);
  }

  // 5. A wearable goes: live mode names what the team's teacher now lacks.
  await page.getByTestId('mode-live').click();
  await page.locator('.device[data-position=left_wrist] [data-testid=ble-disconnect]').click();
  await waitFor(page, () => /The teacher also reads left wrist/.test(document.querySelector('[data-testid=live-needs]')?.innerText ?? ''));

  // 6. The student-only bundle: the student answers, the teacher's panels say there is none.
  await loadBundle(page, studentOnly, () => /student-only/.test(document.querySelector('[data-testid=model-teacher]')?.textContent ?? ''));
  await page.getByTestId('final-student').waitFor({ timeout: 120_000 });
  assert.match(await page.locator('.model-card h2').nth(1).innerText(), /Teacher: none in this bundle/);
  assert.match(await page.locator('.model-card .missing').nth(1).innerText(), /student only/);
  assert.equal(await text(page, 'teacher-prediction'), '—');
  assert.ok(inTeamClasses(await text(page, 'student-prediction')));
  await page.getByTestId('mode-live').click();
  assert.match(await text(page, 'live-models'), /shift 1 \(loaded, student only\)/);
  assert.match(await page.locator('.model-card h2').nth(1).innerText(), /Teacher: none in this bundle/);
  await waitFor(page, () => document.querySelector('[data-testid=student-prediction]')?.innerText !== '—', null, 30_000);
  assert.ok(inTeamClasses(await text(page, 'student-prediction')));
  await screenshot(page, 'loop-live-student-only');
  assert.deepEqual(problems, []);
  await context.close();
});
