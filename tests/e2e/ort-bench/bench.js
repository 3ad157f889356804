// Batch-1 inference of the same student and teacher in burn (wasm, CPU, one thread) and in ONNX
// Runtime Web (wasm execution provider, one thread), in one page. Each call does the same work
// on both sides: the window's values into the engine, one forward pass, the logits read back.
// `window.bench.round(model, samples, callsPerSample, warmMs)` times `samples` blocks of calls per
// engine, taking turns, and returns each block's mean per call in microseconds.
import init, { ForwardBench } from './pkg/tsak_classifier.js';
import * as ort from './ort/ort.wasm.min.mjs';

const status = document.getElementById('status');

async function bytes(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Deterministic pseudo-normal values: a normalised window. */
function window_(length, seed) {
  const values = new Float32Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = (state / 2 ** 32 - 0.5) * 3.4;
  }
  return values;
}

async function setUp() {
  await init();
  const burn = new ForwardBench(await bytes('bundle.zip'));
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = new URL('./ort/', location.href).href;
  const options = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  const sessions = {
    student: await ort.InferenceSession.create(await bytes('student.onnx'), options),
    teacher: await ort.InferenceSession.create(await bytes('teacher.onnx'), options),
  };
  const shapes = JSON.parse(new TextDecoder().decode(await bytes('shapes.json')));
  const windows = Object.fromEntries(
    Object.entries(shapes).map(([model, [channels, frames]]) => [model, window_(channels * frames, channels)]),
  );

  // One call per engine and model: values in, forward, logits out (the teacher's: the semantic
  // classifier's and the combined head's, the two the app reads).
  const call = {
    burn: {
      student: () => burn.student(windows.student),
      teacher: () => burn.teacher(windows.teacher),
    },
    ort: {
      student: async () => {
        const input = new ort.Tensor('float32', windows.student, [1, ...shapes.student]);
        const out = await sessions.student.run({ window: input });
        return out.logits.getData();
      },
      teacher: async () => {
        const input = new ort.Tensor('float32', windows.teacher, [1, ...shapes.teacher]);
        const out = await sessions.teacher.run({ window: input });
        const [semantic, combined] = await Promise.all([out.semantic_logits.getData(), out.combined_logits.getData()]);
        return [...semantic, ...combined];
      },
    },
  };

  /** Mean microseconds per call over `calls` calls of `run`, and the last logits. */
  async function block(run, calls) {
    let logits;
    const started = performance.now();
    for (let i = 0; i < calls; i++) logits = await run();
    return { us: ((performance.now() - started) * 1000) / calls, logits };
  }

  // `samples` blocks of calls per engine, the engines taking turns block by block (which goes
  // first alternates too), so that both see the same moments of a noisy machine.
  // Each engine first runs for `warmMs` unmeasured: V8 starts wasm on its baseline compiler
  // and tiers hot functions up while they run (burn's student went from ~950 to ~125 us per
  // window over its first ~1,500 calls).
  async function round(model, samples, callsPerSample, warmMs) {
    const times = { burn: [], ort: [] };
    for (const engine of ['burn', 'ort']) {
      const until = performance.now() + warmMs;
      while (performance.now() < until) await block(call[engine][model], callsPerSample);
    }
    for (let s = 0; s < samples; s++) {
      for (const engine of s % 2 ? ['ort', 'burn'] : ['burn', 'ort']) {
        const { us, logits } = await block(call[engine][model], callsPerSample);
        if (![...logits].every(Number.isFinite)) throw new Error(`${engine} ${model}: logits are not finite`);
        times[engine].push(us);
      }
    }
    return times;
  }

  return { round, call, crossOriginIsolated: self.crossOriginIsolated, ortVersion: ort.env.versions?.web ?? null };
}

window.bench = await setUp().catch((error) => {
  status.textContent = `failed: ${error.message ?? error}`;
  throw error;
});
status.textContent = 'ready';
