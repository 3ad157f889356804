// The embeddable package (packages/classifier, built by scripts/build-classifier.sh) in headless
// Chromium, as another vendor's page would use it: the README's example page, a bundle the real
// `trainer` trained on a team's dataset (tests/fixtures/team-recordings), a recording window in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  launchChromium, openPage, repoRoot, screenshot, serveDist, teamRecordings as team, trainTeamBundle,
} from './harness.mjs';

const pkg = join(repoRoot, 'packages', 'classifier');
let server;
let browser;
let manifest;

before(async () => {
  const work = await mkdtemp(join(tmpdir(), 'tsak-classifier-'));
  trainTeamBundle(work, join(work, 'site', 'bundle.zip'));
  manifest = JSON.parse(await readFile(join(work, 'bundle', 'manifest.json'), 'utf8'));
  const site = join(work, 'site');
  await cp(join(pkg, 'pkg'), join(site, 'pkg'), { recursive: true });
  await cp(join(pkg, 'example', 'index.html'), join(site, 'index.html'));
  server = await serveDist(site);
  browser = await launchChromium({ webgpu: false });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the example page classifies a recording window with a trainer bundle', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.waitForFunction(() => !document.getElementById('bundle').textContent.startsWith('loading'), null, { timeout: 60_000 });
  const classes = manifest.classes.map((c) => c.name);
  assert.equal(await page.locator('#bundle').textContent(), `${manifest.dataset.name}: ${classes.join(', ')}`);
  await page.locator('#recording').setInputFiles(join(team, 'u0209-held-out.csv'));
  await page.waitForFunction(() => document.getElementById('answer').textContent !== '');
  const [label, ...lines] = (await page.locator('#answer').textContent()).split('\n');
  assert.ok(classes.includes(label), label);
  assert.deepEqual(lines.map((l) => l.split(':')[0]), classes);
  await screenshot(page, 'classifier-example');
  assert.deepEqual(problems, []);
});

test('the package API: info from the manifest, probabilities, refusals that say why', async () => {
  const { page, problems } = await openPage(browser, server.url);
  const got = await page.evaluate(async () => {
    const { default: init, Classifier } = await import('./pkg/tsak_classifier.js');
    await init();
    const zip = new Uint8Array(await (await fetch('bundle.zip')).arrayBuffer());
    const classifier = new Classifier(zip);
    const info = classifier.info;
    const window = new Float32Array(info.windowFrames * info.inputs.length);
    for (let i = 0; i < window.length; i++) window[i] = Math.sin(i / 7) * 0.5;
    const answer = await classifier.classify(window);
    const refusal = async (f) => { try { await f(); return null; } catch (e) { return String(e.message ?? e); } };
    const short = await refusal(() => classifier.classify(new Float32Array(5)));
    const damaged = zip.slice();
    damaged[damaged.length >> 1] ^= 0xff;
    const broken = await refusal(() => new Classifier(damaged));
    const notZip = await refusal(() => new Classifier(new Uint8Array([1, 2, 3])));
    return { info, answer, short, broken, notZip };
  });
  assert.deepEqual(got.info.classes, manifest.classes.map((c) => c.name));
  assert.deepEqual(got.info.inputs, manifest.student.normalisation.channels);
  assert.equal(got.info.windowFrames, manifest.window.length);
  assert.equal(got.info.sampleRateHz, manifest.sample_rate_hz);
  assert.equal(got.info.dataset, manifest.dataset.name);
  const p = got.answer.probabilities.map((c) => c.probability);
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5, `probabilities sum to ${p}`);
  assert.equal(got.answer.index, p.indexOf(Math.max(...p)));
  assert.equal(got.answer.class, got.info.classes[got.answer.index]);
  assert.match(got.short, /frames of 3 values .*right_wrist\/acc_x.*got 5/);
  assert.match(got.broken, /\.(bpk|json)|checksum|sha256/);
  assert.match(got.notZip, /not a readable zip/);
  assert.deepEqual(problems, []);
});
