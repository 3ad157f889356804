// The tablet and the big screen, end to end in headless Chromium: at 768x1024 (portrait tablet)
// and 1920x1080 the replay and live views fit without horizontal scrolling, every control is a
// touch target of at least 44 px, the two models stack on the narrow screen and sit side by side
// on the wide one, and the current operation is in large type (screenshots saved); every main
// control is reachable with the keyboard alone, with a visible focus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { appUnderTest, screenshot } from './harness.mjs';

const app = appUnderTest({ webgpu: false });

/** Horizontal overflow of the page, and controls smaller than 44 px (by test id or text). */
function layoutProblems() {
  const root = document.documentElement;
  const problems = [];
  if (root.scrollWidth > root.clientWidth) problems.push(`page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
  for (const el of document.querySelectorAll('button, select, input, [role=tab]')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue; // not shown
    if (el.type === 'file') continue; // hidden behind its label
    if (box.height < 44 || box.width < 44) {
      const name = el.dataset.testid ?? el.getAttribute('aria-label') ?? el.innerText?.trim() ?? el.tagName;
      problems.push(`${name}: ${Math.round(box.width)}x${Math.round(box.height)} px`);
    }
  }
  return problems;
}

for (const [width, height, stacked] of [[768, 1024, true], [1920, 1080, false]]) {
  test(`at ${width}x${height} nothing scrolls sideways, controls are touch-sized, models ${stacked ? 'stack' : 'sit side by side'}`, async () => {
    const page = await app.browser.newPage({ viewport: { width, height } });
    await page.goto(app.url);
    await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
    await page.getByTestId('speed').selectOption('max');
    await page.getByTestId('replay-demo').click();
    await page.getByTestId('final-student').waitFor({ timeout: 120_000 });
    assert.deepEqual(await page.evaluate(layoutProblems), []);
    const [student, teacher] = await Promise.all(
      ['student', 'teacher'].map((id) => page.getByTestId(`${id}-prediction`).boundingBox()),
    );
    assert.equal(teacher.y > student.y + student.height, stacked, `student ${JSON.stringify(student)}, teacher ${JSON.stringify(teacher)}`);
    const size = await page.getByTestId('student-prediction').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(size >= 40, `the current operation in large type: ${size} px`);
    await screenshot(page, `layout-replay-${width}x${height}`);
    await page.getByTestId('mode-live').click();
    assert.deepEqual(await page.evaluate(layoutProblems), []);
    await screenshot(page, `layout-live-${width}x${height}`);
    await page.close();
  });
}

test('every main control is reachable with the keyboard alone, with a visible focus', async () => {
  const context = await app.browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Web Bluetooth (the stand-in), so the live view shows its controls.
  await context.addInitScript({ path: join(import.meta.dirname, 'fake-bluetooth.js') });
  const page = await context.newPage();
  await page.goto(app.url);
  await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  const wanted = [
    'mode-replay', 'mode-live', 'kiosk-start', 'backend-choice', 'replay-demo', 'model-select', 'model-input',
    'model-folder-input', 'file-input', 'folder-input', 'speed',
  ];
  const reached = new Map();
  for (let i = 0; i < 40 && reached.size < wanted.length; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      return { id: el.dataset.testid ?? null, outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 };
    });
    if (focused.id && wanted.includes(focused.id)) reached.set(focused.id, focused.outline);
  }
  assert.deepEqual([...reached.keys()].sort(), [...wanted].sort(), 'reached by Tab');
  for (const [id, visible] of reached) assert.ok(visible, `${id} shows where the focus is`);
  // The keyboard drives them: Enter replays the demo from the focused button.
  await page.getByTestId('replay-demo').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid=student-prediction]')?.innerText !== '—', null, { timeout: 60_000 });
  // With a session playing, pausing and seeking are in the Tab order too, and keys drive them.
  const playing = new Set();
  await page.getByTestId('replay-demo').focus();
  for (let i = 0; i < 16; i++) {
    await page.keyboard.press('Tab');
    playing.add(await page.evaluate(() => document.activeElement?.dataset.testid ?? null));
  }
  for (const id of ['pause', 'seek']) assert.ok(playing.has(id), `${id} reachable by Tab: ${[...playing]}`);
  await page.getByTestId('pause').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('seek').focus();
  const before = Number(await page.getByTestId('seek').inputValue());
  await page.keyboard.press('End');
  const after = Number(await page.getByTestId('seek').inputValue());
  const max = await page.getByTestId('seek').getAttribute('max');
  assert.ok(after > before, `End seeks to the end: ${before} -> ${after} of ${max}`);
  // The predictions' export too.
  const end = new Set();
  await page.getByTestId('seek').focus();
  for (let i = 0; i < 60 && !end.has('export-predictions'); i++) {
    await page.keyboard.press('Tab');
    end.add(await page.evaluate(() => document.activeElement?.dataset.testid ?? null));
  }
  assert.ok(end.has('export-predictions'), `export-predictions reachable by Tab: ${[...end]}`);
  // The live tab by keyboard, and its controls.
  await page.getByTestId('mode-live').focus();
  await page.keyboard.press('Enter');
  const live = new Set();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => document.activeElement?.dataset.testid ?? null);
    if (id) live.add(id);
  }
  for (const id of ['ble-profile', 'ble-position', 'connect-ble', 'record-name', 'record', 'label-option']) {
    assert.ok(live.has(id), `${id} reachable by Tab: ${[...live]}`);
  }
  await context.close();
});
