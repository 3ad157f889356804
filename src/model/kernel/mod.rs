//! The folded models' forward passes as plain loops over `f32` slices: what the CPU runs in the
//! app, natively and in the browser.
//!
//! burn stays the models' source of truth: they are trained, stored and run on the GPU as burn
//! modules, and a kernel only reads a folded model's weights once, at bundle load. Each kernel
//! is checked against its burn model's logits at 1e-5 (here and in `infer::bundle`). Why they
//! exist at all: at batch 1 burn's CPU backend spent most of a window on each operation's
//! fixed cost and on scalar `exp`/`erf` calls, and ONNX Runtime Web ran the same networks up to
//! twice as fast in the same browser (docs/performance.md).
//!
//! - [`ops`]: the shared passes (linear layers, layer norm, GELU, softmax, vectorisable `exp`);
//! - [`conv`]: convolutions of any stride, dilation and padding, dense or depthwise;
//! - [`student`]: the student; [`attention`] and [`teacher`]: the teacher with its semantic
//!   classifier.

mod attention;
mod conv;
mod ops;
mod student;
mod teacher;

pub use student::StudentKernel;
pub use teacher::{TeacherKernel, TeacherKernelLogits};

/// Why a model cannot run as a kernel (it can still run through burn).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KernelError {
    #[error("the model's batch norms are not folded (call its `folded` first)")]
    NotFolded,
    #[error("the model's {0} has a layout the kernel does not know")]
    Layout(&'static str),
}
