// Trunk's one post_build hook (see Trunk.toml). Trunk 0.21 starts every hook of a stage at the
// same time, so the steps that must follow each other are one hook: the WebGPU module is built
// beside the app, the app's wasm loses its name section, then the service worker is stamped
// with the hash of the final files (hashing while the wasm is being rewritten would give a
// version of bytes that are never served).
await import('./build-webgpu-module.mjs');
await import('./strip-wasm-names.mjs');
await import('./write-service-worker.mjs');
