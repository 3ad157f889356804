// Shared pieces of the end-to-end tests: a static server for dist/ on 127.0.0.1 and a
// headless Chromium from Debian (never a downloaded browser).
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..');
export const distDir = join(repoRoot, 'dist');
export const artifactsDir = join(here, 'artifacts');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
};

/**
 * Serves dist/ (or `root`) on an ephemeral port of 127.0.0.1; resolves to { url, close, served },
 * `served` being every path asked for so far, in order.
 */
export async function serveDist(root = distDir) {
  const served = [];
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    served.push(path);
    const file = join(root, path.endsWith('/') ? join(path, 'index.html') : path);
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const close = () =>
    new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
  return { url: `http://127.0.0.1:${port}/`, close, served };
}

/** Debian's Chromium, headless, with the flags that keep it quiet offline. */
export function chromiumOptions({ webgpu = true } = {}) {
  const args = [
    '--no-sandbox',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  if (webgpu) args.push('--enable-unsafe-webgpu');
  return { executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args };
}

export async function launchChromium(options) {
  return chromium.launch(chromiumOptions(options));
}

/** Opens a page that records console errors and uncaught exceptions. */
export async function openPage(browser, url) {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  await page.goto(url);
  return { page, problems };
}

/** Waits until the inference worker has decided where the models run; returns the badge's text. */
export async function backendDecided(page) {
  await page.waitForFunction(() => {
    const text = document.querySelector('[data-testid=backend]')?.innerText ?? '';
    return text !== '' && !text.endsWith('…');
  }, null, { timeout: 60_000 });
  return page.getByTestId('backend').innerText();
}

export async function screenshot(page, name) {
  await mkdir(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The files of a zip the app exported (stored entries, as the app writes them): name -> text. */
export function readStoredZip(buffer) {
  const files = new Map();
  // The end-of-central-directory record: its signature, searched from the end.
  let end = buffer.length - 22;
  while (end >= 0 && buffer.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error('not a zip: no end of central directory');
  const count = buffer.readUInt16LE(end + 10);
  let at = buffer.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    if (buffer.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory entry ${i}`);
    const method = buffer.readUInt16LE(at + 10);
    const size = buffer.readUInt32LE(at + 20);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extra = buffer.readUInt16LE(at + 30);
    const comment = buffer.readUInt16LE(at + 32);
    const local = buffer.readUInt32LE(at + 42);
    const name = buffer.toString('utf8', at + 46, at + 46 + nameLength);
    if (method !== 0) throw new Error(`${name}: compressed (method ${method}); the app stores files`);
    const dataAt = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    files.set(name, buffer.toString('utf8', dataAt, dataAt + size));
    at += 46 + nameLength + extra + comment;
  }
  return files;
}

/**
 * A page in a fresh context with the Web Bluetooth stand-in injected (and `init` scripts
 * before it), recording console errors and uncaught exceptions; opened at `url` with the models
 * ready, on the Live tab.
 */
export async function openLivePage(browser, url, { init = [] } = {}) {
  const context = await browser.newContext({ acceptDownloads: true });
  for (const script of init) await context.addInitScript(script);
  await context.addInitScript({ path: join(here, 'fake-bluetooth.js') });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
  await page.goto(url);
  await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  await page.getByTestId('mode-live').click();
  return { context, page, problems };
}

/**
 * Serves dist/ and launches Chromium for the tests of one file, closing both after them:
 * `app.url` and `app.browser` are set once its `before` hook has run.
 */
export function appUnderTest(options) {
  const app = { url: '', browser: null, server: null };
  before(async () => {
    app.server = await serveDist();
    app.url = app.server.url;
    app.browser = await launchChromium(options);
  });
  after(async () => {
    await app.browser?.close();
    await app.server?.close();
  });
  return app;
}

/** The trainer binary under test (`TSAK_TRAINER`, else the release build in the target dir). */
export const trainer =
  process.env.TSAK_TRAINER ?? join(process.env.CARGO_TARGET_DIR ?? join(repoRoot, 'target'), 'release', 'trainer');

/** A team's own dataset in the recording format, real data (tests/fixtures/team-recordings). */
export const teamRecordings = join(repoRoot, 'tests', 'fixtures', 'team-recordings');

/**
 * Trains a bundle on the team's dataset with the real trainer (`pipeline --quick`, seconds):
 * its folder goes to `work/bundle`, its zip to `zip`.
 */
export function trainTeamBundle(work, zip) {
  execFileSync(trainer, [
    'pipeline', '--quick',
    '--data', `recordings:${join(teamRecordings, 'spec.toml')}`,
    '--split', 'time:0.7',
    '--run', join(work, 'run'),
    '--report', join(work, 'report'),
    '--export', join(work, 'bundle'),
    '--zip', zip,
  ], { stdio: ['ignore', 'ignore', 'inherit'] });
}
