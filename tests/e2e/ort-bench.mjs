// Drives the side-by-side inference bench (see scripts/bench-ort.sh, which builds the site):
// burn and ONNX Runtime Web on the same student and teacher in one headless Chromium page,
// taking turns block by block so that both see the same machine. Prints a markdown
// table of each round's median microseconds per window and the median burn / ORT ratio of
// back-to-back blocks, and writes
// tests/e2e/artifacts/ort-bench.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serveDist, launchChromium, openPage, artifactsDir } from './harness.mjs';

const [siteDir, roundsArg] = process.argv.slice(2);
if (!siteDir) throw new Error('usage: node ort-bench.mjs <site folder> [rounds]');
const rounds = Number(roundsArg ?? 5);
const plan = { student: { samples: 30, calls: 40 }, teacher: { samples: 20, calls: 5 } };

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const server = await serveDist(siteDir);
const browser = await launchChromium({ webgpu: false });
try {
  const { page, problems } = await openPage(browser, server.url);
  await page.waitForFunction(() => window.bench || document.getElementById('status').textContent.startsWith('failed'), null, {
    timeout: 120_000,
  });
  const setup = await page.evaluate(() => ({
    ready: Boolean(window.bench),
    status: document.getElementById('status').textContent,
    crossOriginIsolated: window.bench?.crossOriginIsolated,
    ortVersion: window.bench?.ortVersion,
  }));
  if (!setup.ready) throw new Error(`the bench page did not start: ${setup.status}; ${problems.join('; ')}`);
  if (!setup.crossOriginIsolated) throw new Error('the page is not cross-origin isolated: its timer is coarse');

  const results = [];
  console.log('| round | student burn (us) | student ORT (us) | student burn / ORT | teacher burn (us) | teacher ORT (us) | teacher burn / ORT |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (let round = 1; round <= rounds; round++) {
    const row = { round };
    for (const model of ['student', 'teacher']) {
      const { samples, calls } = plan[model];
      const warmMs = round === 1 ? 3000 : 300;
      const times = await page.evaluate(([m, s, c, w]) => window.bench.round(m, s, c, w), [model, samples, calls, warmMs]);
      row[`${model}_burn_us`] = median(times.burn);
      row[`${model}_ort_us`] = median(times.ort);
      // The median of the ratios of blocks timed back to back.
      row[`${model}_ratio`] = median(times.burn.map((b, i) => b / times.ort[i]));
    }
    results.push(row);
    const f = (v) => v.toFixed(1);
    console.log(
      `| ${round} | ${f(row.student_burn_us)} | ${f(row.student_ort_us)} | ${row.student_ratio.toFixed(2)} | ` +
        `${f(row.teacher_burn_us)} | ${f(row.teacher_ort_us)} | ${row.teacher_ratio.toFixed(2)} |`,
    );
  }
  if (problems.length) throw new Error(`the page reported problems: ${problems.join('; ')}`);
  const summary = {
    student_ratio_median: median(results.map((r) => r.student_ratio)),
    teacher_ratio_median: median(results.map((r) => r.teacher_ratio)),
  };
  console.log(
    `median burn / ORT over ${rounds} rounds: student ${summary.student_ratio_median.toFixed(2)}, ` +
      `teacher + semantic classifier ${summary.teacher_ratio_median.toFixed(2)} (ORT ${setup.ortVersion}, wasm, 1 thread)`,
  );
  await mkdir(artifactsDir, { recursive: true });
  const report = { date: new Date().toISOString(), ort: setup.ortVersion, plan, rounds: results, ...summary };
  await writeFile(join(artifactsDir, 'ort-bench.json'), JSON.stringify(report, null, 2));
} finally {
  await browser.close();
  await server.close();
}
