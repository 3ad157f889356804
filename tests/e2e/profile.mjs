// Profiles the page's main thread during 64x playback (see scripts/profile-web.sh): where the
// time of a slow frame goes. Prints the functions with the most self time and the frame
// intervals; writes the raw profile to artifacts/main-thread.cpuprofile (DevTools opens it).
// Build with TSAK_KEEP_WASM_NAMES=1 so wasm functions have names.
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { serveDist, launchChromium, openPage, artifactsDir } from './harness.mjs';

const sessionDir = process.argv[2];
const speed = process.argv[3] ?? '64';
if (!sessionDir) throw new Error('usage: node profile.mjs <session user folder> [speed]');

const server = await serveDist();
const browser = await launchChromium({ webgpu: false });
try {
  const { page } = await openPage(browser, server.url);
  await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  await page.getByTestId('speed').selectOption(speed);
  await page.getByTestId('folder-input').setInputFiles(sessionDir);
  await page.getByTestId('session-name').waitFor({ timeout: 120_000 });
  await page.waitForTimeout(1000);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  const frames = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const deltas = [];
        let last = performance.now();
        const end = last + 5000;
        const step = (now) => {
          deltas.push(Math.round(now - last));
          last = now;
          if (now < end) requestAnimationFrame(step);
          else resolve(deltas);
        };
        requestAnimationFrame(step);
      }),
  );
  const { profile } = await cdp.send('Profiler.stop');
  await mkdir(artifactsDir, { recursive: true });
  await writeFile(join(artifactsDir, 'main-thread.cpuprofile'), JSON.stringify(profile));
  // Self time per function: samples x sampling interval.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const name = node.callFrame.functionName || `(${node.callFrame.url.split('/').pop() || 'anonymous'})`;
    self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`main thread: ${total.toFixed(0)} ms sampled over 5 s of ${speed}x playback`);
  for (const [name, ms] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`${ms.toFixed(1).padStart(8)} ms  ${name}`);
  }
  const sorted = [...frames].sort((a, b) => a - b);
  console.log(`frames: ${frames.length}, p50 ${sorted[Math.floor(sorted.length / 2)]} ms, p95 ${sorted[Math.floor(sorted.length * 0.95)]} ms`);
  console.log(`intervals: ${frames.join(' ')}`);
} finally {
  await browser.close();
  await server.close();
}
