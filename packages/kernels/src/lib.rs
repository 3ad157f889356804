//! tsak's student and teacher forward passes as plain loops over `f32` slices: what the CPU
//! runs at inference, natively and in the browser.
//!
//! burn stays the models' source of truth: they are trained, stored and run on the GPU as burn
//! modules, and `tsak::model::kernel` reads a folded model's weights into these structs once, at
//! bundle load, and checks their logits against burn's at 1e-5. Why they exist at all: at
//! batch 1 burn's CPU backend spent most of a window on each operation's fixed cost and on
//! scalar `exp`/`erf` calls, and ONNX Runtime Web ran the same networks up to twice as fast in
//! the same browser (docs/performance.md). A crate of its own, without dependencies, so that the
//! wasm profile builds it at opt-level 3 (LLVM's loop vectoriser) while the app around it stays
//! size-optimised.
//!
//! - [`ops`]: the shared passes (linear layers, layer norm, GELU, softmax, vectorisable `exp`);
//! - [`conv`]: convolutions of any stride, dilation and padding, dense or depthwise;
//! - [`student`], [`attention`] and [`teacher`]: the networks;
//! - [`position`]: the teacher's position code, shared with the burn model.

pub mod attention;
pub mod conv;
pub mod ops;
pub mod position;
pub mod student;
pub mod teacher;

pub use conv::{Activation, ConvLayer, ConvShape};
pub use ops::{Dense, Norm};
pub use student::StudentKernel;
pub use teacher::{CausalKernel, SemanticKernel, TeacherKernel, TeacherKernelLogits};
