//! The kernels' building blocks: each one pass over `f32` slices, time-major (`[frames,
//! features]`), written so that LLVM vectorises the inner loops (wasm SIMD in the browser).
//!
//! `exp` and `erf` are hand-written because the standard library's are scalar calls that LLVM
//! cannot vectorise: in the browser profile of burn's teacher, `expf` (in softmax) was 23% and
//! `erff` (in GELU) 8% of a window's time (docs/performance.md). Both are branch-free
//! polynomials, within 3e-7 (`exp`, relative) and 5e-7 (`erf`, absolute) of the standard
//! functions, well inside the 1e-5 the kernels are checked at.

/// The epsilon of every layer norm in the models: burn's default, which no config changes.
/// (burn keeps a `LayerNorm`'s epsilon private, so it cannot be read from the models.)
pub const LAYER_NORM_EPSILON: f32 = 1e-5;

/// `acc[k] += a * b[k]`: LLVM vectorises it (explicit wasm SIMD measured no faster).
#[inline(always)]
pub(crate) fn scaled_add(acc: &mut [f32], a: f32, b: &[f32]) {
    for (r, w) in acc.iter_mut().zip(b) {
        *r += a * w;
    }
}

/// `acc[k] += a[k] * b[k]`.
#[inline(always)]
pub(crate) fn multiply_add(acc: &mut [f32], a: &[f32], b: &[f32]) {
    for ((r, x), w) in acc.iter_mut().zip(a).zip(b) {
        *r += x * w;
    }
}

/// `acc[k] += a[k]`.
#[inline(always)]
pub(crate) fn add(acc: &mut [f32], a: &[f32]) {
    for (r, x) in acc.iter_mut().zip(a) {
        *r += x;
    }
}

/// `window` (`[channels, time]`) as `[time, channels]` in `out`.
pub(crate) fn time_major(window: &[f32], channels: usize, out: &mut Vec<f32>) {
    let time = window.len() / channels;
    out.clear();
    out.resize(window.len(), 0.0);
    for (c, row) in window.chunks_exact(time).enumerate() {
        for (t, v) in row.iter().enumerate() {
            out[t * channels + c] = *v;
        }
    }
}

/// The mean over frames of `x` (`[frames, features]`).
pub(crate) fn mean_over_time(x: &[f32], features: usize) -> Vec<f32> {
    let mut mean = vec![0.0f32; features];
    for frame in x.chunks_exact(features) {
        add(&mut mean, frame);
    }
    let frames = (x.len() / features).max(1) as f32;
    mean.iter_mut().for_each(|m| *m /= frames);
    mean
}

/// A linear layer (`y = x·W + b`, `W` as `[d_input, d_output]`, burn's `Linear` layout)
/// applied frame by frame.
#[derive(Debug, Clone)]
pub struct Dense {
    /// `[d_input, d_output]`: burn's layout is already the one the loops want.
    weight: Vec<f32>,
    bias: Vec<f32>,
    pub(crate) d_input: usize,
    pub(crate) d_output: usize,
}

impl Dense {
    /// `weight` as `[d_input, d_output]`, row after row; no bias is a zero bias.
    pub fn new(weight: Vec<f32>, bias: Option<Vec<f32>>, d_input: usize, d_output: usize) -> Self {
        assert_eq!(weight.len(), d_input * d_output, "a [{d_input}, {d_output}] weight");
        let bias = bias.unwrap_or_else(|| vec![0.0; d_output]);
        assert_eq!(bias.len(), d_output, "a bias of {d_output}");
        Self { weight, bias, d_input, d_output }
    }

    /// Input features.
    pub fn d_input(&self) -> usize {
        self.d_input
    }

    /// Output features.
    pub fn d_output(&self) -> usize {
        self.d_output
    }

    /// Layers that read the same input, as one layer whose output is theirs side by side: one
    /// pass over the input instead of one per layer, with longer inner loops.
    pub fn side_by_side(parts: &[Dense]) -> Self {
        let d_input = parts[0].d_input;
        assert!(parts.iter().all(|p| p.d_input == d_input), "side-by-side layers read the same input");
        let d_output = parts.iter().map(|p| p.d_output).sum();
        let mut weight = Vec::with_capacity(d_input * d_output);
        for i in 0..d_input {
            for part in parts {
                weight.extend_from_slice(&part.weight[i * part.d_output..][..part.d_output]);
            }
        }
        let bias = parts.iter().flat_map(|p| p.bias.iter().copied()).collect();
        Self { weight, bias, d_input, d_output }
    }

    /// `x·W + b` for every frame of `x` (`[frames, d_input]`) into `out` (`[frames, d_output]`).
    pub(crate) fn forward(&self, x: &[f32], out: &mut Vec<f32>) {
        let frames = x.len() / self.d_input;
        out.clear();
        out.reserve(frames * self.d_output);
        for _ in 0..frames {
            out.extend_from_slice(&self.bias);
        }
        matmul_add(x, self.d_input, frames, self.d_input, &self.weight, self.d_output, out);
    }

    /// `x·W + b` of one frame (`[d_input]`), as a new vector.
    pub(crate) fn apply(&self, x: &[f32]) -> Vec<f32> {
        let mut out = Vec::new();
        self.forward(x, &mut out);
        out
    }
}

/// A layer norm over the features of each frame (burn's `LayerNorm`, epsilon
/// [`LAYER_NORM_EPSILON`]).
#[derive(Debug, Clone)]
pub struct Norm {
    gamma: Vec<f32>,
    beta: Vec<f32>,
}

impl Norm {
    /// Scale and shift per feature; no shift is a zero shift.
    pub fn new(gamma: Vec<f32>, beta: Option<Vec<f32>>) -> Self {
        let beta = beta.unwrap_or_else(|| vec![0.0; gamma.len()]);
        assert_eq!(gamma.len(), beta.len(), "one scale and one shift per feature");
        Self { gamma, beta }
    }

    /// Normalises every frame of `x` (`[frames, features]`) into `out`.
    pub(crate) fn forward(&self, x: &[f32], out: &mut Vec<f32>) {
        out.clear();
        out.extend_from_slice(x);
        for frame in out.chunks_exact_mut(self.gamma.len()) {
            self.normalise(frame);
        }
    }

    /// Normalises one frame in place: biased variance, epsilon inside the square root, as burn.
    pub(crate) fn normalise(&self, frame: &mut [f32]) {
        let n = frame.len() as f32;
        let mean = frame.iter().sum::<f32>() / n;
        let variance = frame.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
        let scale = 1.0 / (variance + LAYER_NORM_EPSILON).sqrt();
        for ((v, g), b) in frame.iter_mut().zip(&self.gamma).zip(&self.beta) {
            *v = (*v - mean) * scale * g + b;
        }
    }
}

/// `e^x`, branch-free: `x = n·ln 2 + r` with `|r| <= ln 2 / 2`, `e^r` by a degree-6 Taylor
/// polynomial (relative error < 2e-7 on that range) and `2^n` built in the exponent bits.
/// `n` is rounded by adding and subtracting 1.5·2^23, which leaves `n` in the low mantissa
/// bits: no `floor` (a library call on x86 without SSE4.1) and no float-to-int conversion, so
/// LLVM vectorises loops over it everywhere. Saturates to `e^-87` below -87 and to `e^88` above
/// 88 instead of reaching zero or overflowing.
#[inline(always)]
pub(crate) fn exp(x: f32) -> f32 {
    const LN_2_HI: f32 = 0.693_359_4;
    const LN_2_LO: f32 = -2.121_944_4e-4;
    const ROUND: f32 = 12_582_912.0; // 1.5·2^23
    let x = x.clamp(-87.0, 88.0);
    let shifted = x * std::f32::consts::LOG2_E + ROUND;
    let n = shifted - ROUND;
    let r = x - n * LN_2_HI - n * LN_2_LO;
    let p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    let n_bits = shifted.to_bits().wrapping_sub(ROUND.to_bits());
    p * f32::from_bits(n_bits.wrapping_add(127) << 23)
}

/// `erf(x)` by Abramowitz and Stegun 7.1.26 (absolute error < 1.5e-7 in exact arithmetic,
/// < 5e-7 in `f32`), odd by construction.
#[inline(always)]
#[allow(clippy::excessive_precision)]
pub(crate) fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let poly =
        t * (0.254_829_592 + t * (-0.284_496_736 + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    (1.0 - poly * exp(-a * a)).copysign(x)
}

/// Exact (erf-based) GELU, as burn's `Gelu::new()`, in place.
pub(crate) fn gelu(x: &mut [f32]) {
    for v in x {
        *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
    }
}

/// The logistic sigmoid.
#[inline(always)]
pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// Softmax of `x` in place (max-subtracted, so it cannot overflow).
pub(crate) fn softmax(x: &mut [f32]) {
    let max = max(x);
    x.iter_mut().for_each(|v| *v = exp(*v - max));
    let scale = 1.0 / sum(x);
    x.iter_mut().for_each(|v| *v *= scale);
}

/// Lanes of the reductions below: LLVM vectorises a reduction only when it is written as
/// independent lanes (it may not reorder an `f32` sum on its own).
const LANES: usize = 8;

/// The largest value of `x` (`-inf` if empty).
pub(crate) fn max(x: &[f32]) -> f32 {
    let mut lanes = [f32::NEG_INFINITY; LANES];
    let chunks = x.chunks_exact(LANES);
    let rest = chunks.remainder().iter().copied().fold(f32::NEG_INFINITY, f32::max);
    for chunk in chunks {
        for (m, &v) in lanes.iter_mut().zip(chunk) {
            *m = if v > *m { v } else { *m };
        }
    }
    lanes.into_iter().fold(rest, f32::max)
}

/// The sum of `x`.
pub(crate) fn sum(x: &[f32]) -> f32 {
    let mut lanes = [0.0f32; LANES];
    let chunks = x.chunks_exact(LANES);
    let rest: f32 = chunks.remainder().iter().sum();
    for chunk in chunks {
        add(&mut lanes, chunk);
    }
    lanes.iter().sum::<f32>() + rest
}

/// The dot product of `a` and `b`.
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; LANES];
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let rest: f32 = a_chunks.remainder().iter().zip(b_chunks.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        multiply_add(&mut lanes, x, y);
    }
    lanes.iter().sum::<f32>() + rest
}

/// `out[f][o] += Σ_r a[f·a_stride + r] · w[r][o]` for `rows` rows of `k` values of `a` and `w`
/// as `[k, n]`: a matrix product into `out` (`[rows, n]`). Blocks of 4 rows x 8 columns keep
/// their sums in registers while `r` runs, so each weight is loaded once per 4 rows and each
/// input once per 8 columns; the edges that do not fill a block take the plain loop.
pub(crate) fn matmul_add(a: &[f32], a_stride: usize, rows: usize, k: usize, w: &[f32], n: usize, out: &mut [f32]) {
    const R: usize = 4;
    const C: usize = 8;
    assert!(rows == 0 || (rows - 1) * a_stride + k <= a.len(), "a has {rows} rows of {k}");
    assert!(w.len() >= k * n && out.len() >= rows * n, "w is [{k}, {n}], out [{rows}, {n}]");
    let full_rows = rows - rows % R;
    let full_columns = n - n % C;
    for f in (0..full_rows).step_by(R) {
        let a_rows: [&[f32]; R] = std::array::from_fn(|i| &a[(f + i) * a_stride..][..k]);
        for o in (0..full_columns).step_by(C) {
            let mut acc = [[0.0f32; C]; R];
            for (r, w_row) in w.chunks_exact(n).take(k).enumerate() {
                let w_block: &[f32; C] = w_row[o..o + C].try_into().expect("C columns");
                for (acc_row, a_row) in acc.iter_mut().zip(&a_rows) {
                    let value = a_row[r];
                    for (sum, weight) in acc_row.iter_mut().zip(w_block) {
                        *sum += value * weight;
                    }
                }
            }
            for (i, acc_row) in acc.iter().enumerate() {
                add(&mut out[(f + i) * n + o..][..C], acc_row);
            }
        }
        for (i, a_row) in a_rows.iter().enumerate() {
            matmul_row_add(a_row, w, n, full_columns, &mut out[(f + i) * n..][..n]);
        }
    }
    for f in full_rows..rows {
        matmul_row_add(&a[f * a_stride..][..k], w, n, 0, &mut out[f * n..][..n]);
    }
}

/// Columns `from..n` of one row of [`matmul_add`].
fn matmul_row_add(a_row: &[f32], w: &[f32], n: usize, from: usize, out: &mut [f32]) {
    if from == n {
        return;
    }
    for (&value, w_row) in a_row.iter().zip(w.chunks_exact(n)) {
        scaled_add(&mut out[from..], value, &w_row[from..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_within_three_parts_in_ten_million_and_saturates() {
        for i in -8700..=8800 {
            let x = i as f32 / 100.0;
            let (got, want) = (exp(x), x.exp());
            assert!((got - want).abs() <= 3e-7 * want, "exp({x}): {got} vs {want}");
        }
        assert_eq!(exp(-1000.0), exp(-87.0));
        assert!(exp(1000.0).is_finite());
    }

    #[test]
    fn erf_is_within_five_parts_in_ten_million() {
        for i in -60_000..=60_000 {
            let x = i as f32 / 10_000.0;
            let want = libm::erff(x);
            assert!((erf(x) - want).abs() <= 5e-7, "erf({x}): {} vs {want}", erf(x));
        }
    }

    /// Against the textbook triple loop, for sizes on and off the 4 x 8 blocks, with a strided
    /// `a` (as the convolutions pass it).
    #[test]
    fn matmul_add_is_the_matrix_product() {
        for (rows, k, n, a_stride) in [(9, 5, 19, 7), (8, 3, 16, 3), (3, 2, 5, 2), (0, 4, 8, 4), (12, 48, 48, 96)] {
            let a: Vec<f32> = (0..rows * a_stride + k).map(|i| (i % 13) as f32 * 0.25 - 1.0).collect();
            let w: Vec<f32> = (0..k * n).map(|i| (i % 7) as f32 * 0.5 - 1.5).collect();
            let mut out = vec![1.0; rows * n];
            matmul_add(&a, a_stride, rows, k, &w, n, &mut out);
            for f in 0..rows {
                for o in 0..n {
                    let want = 1.0 + (0..k).map(|r| a[f * a_stride + r] * w[r * n + o]).sum::<f32>();
                    assert!((out[f * n + o] - want).abs() <= 1e-4 * want.abs().max(1.0), "{rows}x{k}x{n} at {f},{o}");
                }
            }
        }
    }

    #[test]
    fn reductions_match_their_sequential_forms() {
        for len in [0, 1, 7, 8, 9, 133] {
            let x: Vec<f32> = (0..len).map(|i| ((i * 37) % 11) as f32 - 5.0).collect();
            let y: Vec<f32> = x.iter().map(|v| v * 0.5 + 1.0).collect();
            assert_eq!(max(&x), x.iter().copied().fold(f32::NEG_INFINITY, f32::max));
            assert!((sum(&x) - x.iter().sum::<f32>()).abs() < 1e-4);
            assert!((dot(&x, &y) - x.iter().zip(&y).map(|(a, b)| a * b).sum::<f32>()).abs() < 1e-3);
        }
    }

    #[test]
    fn softmax_sums_to_one_and_keeps_the_order() {
        let mut x = [1.0, 3.0, 2.0, -50.0, 80.0];
        softmax(&mut x);
        assert!((x.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(x[4] > x[1] && x[1] > x[2] && x[2] > x[0] && x[0] > x[3]);
    }
}
