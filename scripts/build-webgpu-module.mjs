// The first step of the Trunk post_build hook (scripts/post-build.mjs): builds burn's WebGPU
// backend as its own wasm module (packages/webgpu) into the build's webgpu/ folder, where the
// inference worker imports it from when a model is timed or run on WebGPU
// (src/app/webgpu_module.rs). The app's own module leaves WebGPU out, so every visit downloads
// the CPU path alone. Trunk builds one crate per `rel="rust"` link and every such link is
// started as a page script or a worker, which this module is neither: so a hook builds it, with
// the same profile and the same wasm-bindgen as the app.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const staging = process.env.TRUNK_STAGING_DIR;
const source = process.env.TRUNK_SOURCE_DIR ?? process.cwd();
const release = process.env.TRUNK_PROFILE === 'release';
// The app's profile (index.html `data-cargo-profile-release`) and cargo's debug one.
const [profile, folder] = release ? ['wasm-release', 'wasm-release'] : ['dev', 'debug'];
const run = (command, args) => execFileSync(command, args, { cwd: source, stdio: ['ignore', 'pipe', 'inherit'] });

run('cargo', ['build', '-p', 'tsak-webgpu', '--target', 'wasm32-unknown-unknown', '--profile', profile]);
const target = JSON.parse(run('cargo', ['metadata', '--format-version', '1', '--no-deps']).toString()).target_directory;
const wasm = join(target, 'wasm32-unknown-unknown', folder, 'tsak_webgpu.wasm');
const out = join(staging, 'webgpu');
await mkdir(out, { recursive: true });
// Release builds lose the `name` section, as the app's wasm does (see strip-wasm-names.mjs).
const names = release && process.env.TSAK_KEEP_WASM_NAMES !== '1' ? ['--remove-name-section'] : [];
run('wasm-bindgen', ['--target', 'web', '--no-typescript', '--out-dir', out, '--out-name', 'tsak_webgpu', ...names, wasm]);
const built = join(out, 'tsak_webgpu_bg.wasm');
const bytes = await readFile(built);
console.log(`webgpu/tsak_webgpu_bg.wasm: ${(await stat(built)).size} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped`);
