//! Models that run outside this wasm module. burn's WebGPU backend (cubecl's compiler and
//! kernels) is most of a wasm build that carries it, so the app's module leaves it out and the
//! inference worker fetches it as a second module (`packages/webgpu`) only when a model is to be
//! timed or run there. To the runner such a model is windows in, logits out, awaited.

use std::future::Future;
use std::pin::Pin;

/// A model's logits once the other module answers: `[batch, classes]`, or why it could not.
pub type OffloadedLogits = Pin<Box<dyn Future<Output = Result<Vec<f32>, String>>>>;

/// A bundle's models decoded in another module.
pub trait OffloadedModels: std::fmt::Debug {
    /// Where they run, for messages ("WebGPU").
    fn backend(&self) -> &'static str;
    /// The student's logits for `batch` windows of `length` frames, `values` as
    /// [`crate::infer::inputs::ModelWindows::slice`] gives them.
    fn student(&self, values: &[f32], batch: usize, length: usize) -> OffloadedLogits;
    /// The teacher's final (semantic classifier) logits, likewise.
    fn teacher(&self, values: &[f32], batch: usize, length: usize) -> OffloadedLogits;
}
