// Drives the built app to measure it (see scripts/bench-web.sh): a whole session folder is
// picked, replayed as fast as possible on the CPU backend, and the figures the app shows are
// collected with the wall time from pick to the last window.
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { serveDist, launchChromium, openPage, distDir, artifactsDir } from './harness.mjs';

const sessionDir = process.argv[2];
if (!sessionDir) throw new Error('usage: node bench.mjs <session user folder>');

const server = await serveDist();
const browser = await launchChromium({ webgpu: false });
try {
  const { page, problems } = await openPage(browser, server.url);
  await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });
  // Responsiveness at 64x: frame intervals of the page over 5 s of playback, from 1 s after
  // a session is loaded (plots, timeline and panels redraw while the worker runs both models
  // on new windows).
  await page.getByTestId('speed').selectOption('64');
  await page.getByTestId('folder-input').setInputFiles(sessionDir);
  await page.getByTestId('session-name').waitFor({ timeout: 120_000 });
  await page.waitForTimeout(1000); // past taking in the new session: steady playback only
  // Long tasks (> 50 ms) of the main thread in the same 5 s tell a slow page from a starved
  // compositor: a frame can be late while the page's own thread is idle.
  const { frames, longTasks } = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const longTasks = [];
        const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
        observer.observe({ type: 'longtask' });
        const deltas = [];
        let last = performance.now();
        const end = last + 5000;
        const step = (now) => {
          deltas.push(now - last);
          last = now;
          if (now < end) requestAnimationFrame(step);
          else {
            observer.disconnect();
            resolve({ frames: deltas, longTasks });
          }
        };
        requestAnimationFrame(step);
      }),
  );
  frames.sort((a, b) => a - b);
  const at = (q) => frames[Math.min(frames.length - 1, Math.floor(q * frames.length))];
  const playback = {
    p50: at(0.5),
    p95: at(0.95),
    max: frames[frames.length - 1],
    frames: frames.length,
    main_thread_long_tasks_ms: longTasks.map(Math.round),
  };
  await page.getByTestId('pause').click();
  await page.getByTestId('speed').selectOption('max');
  const started = Date.now();
  await page.getByTestId('folder-input').setInputFiles(sessionDir);
  await page.getByTestId('final-student').waitFor({ timeout: 600_000 });
  const replaySeconds = (Date.now() - started) / 1000;
  const text = (id) => page.getByTestId(id).innerText();
  const figures = {
    session: await text('session-name'),
    windows: await text('progress'),
    replay_seconds_as_fast_as_possible: replaySeconds,
    of_which_reading_the_files_seconds:
      Number(await page.getByTestId('session-facts').getAttribute('data-load-ms')) / 1000,
    backend: await text('backend'),
    student_latency: await text('student-latency'),
    teacher_latency: await text('teacher-latency'),
    teacher_over_student_p50: await text('latency-ratio'),
    student_f1: await text('student-f1'),
    teacher_f1: await text('teacher-f1'),
    playback_64x_frame_ms: playback,
  };
  const files = await readdir(distDir);
  const wasm = files.find((f) => f.endsWith('_bg.wasm'));
  const bytes = await readFile(join(distDir, wasm));
  figures.wasm_bytes = bytes.length;
  figures.wasm_gzip_bytes = gzipSync(bytes, { level: 9 }).length;
  figures.problems = problems;
  await mkdir(artifactsDir, { recursive: true });
  await writeFile(join(artifactsDir, 'bench.json'), JSON.stringify(figures, null, 2) + '\n');
  console.log(JSON.stringify(figures, null, 2));
} finally {
  await browser.close();
  await server.close();
}
