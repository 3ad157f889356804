//! The folded models as [`tsak_kernels`]: what the CPU runs at inference, natively and in the
//! browser. This module reads a folded burn model's weights into a kernel once, at bundle load,
//! and refuses a model whose layout the kernels do not know (it then runs through burn); the
//! tests check every kernel's logits against its burn model's at 1e-5.

mod attention;
mod student;
mod teacher;
mod weights;

pub use student::student_kernel;
pub use teacher::teacher_kernel;
pub use tsak_kernels::{StudentKernel, TeacherKernel, TeacherKernelLogits};

/// Why a model cannot run as a kernel (it can still run through burn).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KernelError {
    #[error("the model's batch norms are not folded (call its `folded` first)")]
    NotFolded,
    #[error("the model's {0} has a layout the kernel does not know")]
    Layout(&'static str),
}
