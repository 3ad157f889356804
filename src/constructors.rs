//! Static constructors, run once per module instance: by the app (page and worker) and by the
//! embeddable package (`packages/classifier`), each at its module's start.
//!
//! cubecl registers its IR types through `inventory`, i.e. static constructors, which wasm-ld
//! gathers into `__wasm_call_ctors`. If nothing in the module calls that function, wasm-ld
//! links a "command" and wraps *every* export so that it runs all constructors first: each
//! call from JS into wasm (allocations, closures, every poll of a future) re-registered
//! cubecl's types. Profiled at 64x playback, that was about a quarter of the page's main
//! thread. Calling it ourselves, once, makes wasm-ld leave the exports alone.

use std::sync::Once;

unsafe extern "C" {
    fn __wasm_call_ctors();
}

/// Runs the constructors the first time it is called; later calls do nothing.
pub fn run_once() {
    static DONE: Once = Once::new();
    // SAFETY: the linker-made constructor list, run exactly once before anything reads what
    // the constructors register.
    DONE.call_once(|| unsafe { __wasm_call_ctors() });
}
