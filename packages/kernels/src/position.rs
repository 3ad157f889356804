//! The teacher's sinusoidal position code, shared by the burn model and the kernel so that both
//! add the very same values.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// The longest period of the sinusoidal position code, in frames (as in "Attention Is All You
/// Need"). Only the ratio of window length to this matters; windows are far shorter.
pub const MAX_TIMESCALE: f32 = 10_000.0;

/// The position code for `length` frames, `[length, d_model]` frame after frame: `sin(t·ω_i)`
/// in even and `cos(t·ω_i)` in odd features, `ω_i = MAX_TIMESCALE^(-2⌊i/2⌋/d_model)`.
///
/// Computed for the actual window rather than stored, so any window length works and the code
/// adds nothing to the weights file; computed once per size and thread, because the
/// `powf`/`sin`/`cos` of every element were about 6% of a teacher window's time in the browser
/// (docs/performance.md).
pub fn sinusoid_code(length: usize, d_model: usize) -> Rc<[f32]> {
    /// Values by `(length, d_model)`.
    type Cache = RefCell<HashMap<(usize, usize), Rc<[f32]>>>;
    thread_local! {
        static CACHE: Cache = RefCell::new(HashMap::new());
    }
    CACHE.with(|cache| {
        cache.borrow_mut().entry((length, d_model)).or_insert_with(|| sinusoid_values(length, d_model).into()).clone()
    })
}

/// The position code's values, frame after frame.
fn sinusoid_values(length: usize, d_model: usize) -> Vec<f32> {
    let mut values = Vec::with_capacity(length * d_model);
    for t in 0..length {
        for i in 0..d_model {
            let frequency = MAX_TIMESCALE.powf(-((i - i % 2) as f32) / d_model as f32);
            let angle = t as f32 * frequency;
            values.push(if i % 2 == 0 { angle.sin() } else { angle.cos() });
        }
    }
    values
}
