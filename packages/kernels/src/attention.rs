//! The teacher's attention branch (tsak's `AttentionEncoder`) as a kernel: the input
//! projection, the position code, burn's pre-norm transformer encoder layers and the final
//! norm, pooled over time.
//!
//! Each layer is what burn's `TransformerEncoderLayer` computes with `norm_first`:
//! `x += out(attention(norm_2(x)))`, then `x += outer(gelu(inner(norm_1(x))))`. The query, key
//! and value projections run as one `[d_model, 3·d_model]` layer, and each head's keys are
//! transposed once per window, so that both the scores of a query and the weighted sum of the
//! values are loops over contiguous memory.

use crate::ops::{Dense, Norm, add, dot, gelu, mean_over_time, scaled_add, softmax};
use crate::position::sinusoid_code;

/// The attention branch's weights.
#[derive(Debug, Clone)]
pub struct AttentionKernel {
    /// Channels to `d_model`, per frame.
    pub input: Dense,
    pub layers: Vec<EncoderLayer>,
    /// The norm after the last layer.
    pub norm: Norm,
}

/// One pre-norm transformer encoder layer (burn's `TransformerEncoderLayer` with `norm_first`,
/// exact GELU, plain softmax).
#[derive(Debug, Clone)]
pub struct EncoderLayer {
    /// burn's `norm_2`: before the attention when `norm_first`.
    pub attention_norm: Norm,
    /// Query, key and value side by side: `[d_model, 3·d_model]` (see [`Dense::side_by_side`]).
    pub query_key_value: Dense,
    pub output: Dense,
    pub heads: usize,
    /// burn's `norm_1`: before the feed-forward block.
    pub feed_forward_norm: Norm,
    pub inner: Dense,
    pub outer: Dense,
}

/// A window's buffers, reused from layer to layer.
#[derive(Default)]
struct Scratch {
    normed: Vec<f32>,
    qkv: Vec<f32>,
    /// One head's keys and values, `[d_k, time]` each.
    keys: Vec<f32>,
    values: Vec<f32>,
    scores: Vec<f32>,
    context: Vec<f32>,
    hidden: Vec<f32>,
    out: Vec<f32>,
}

impl AttentionKernel {
    /// Input channels.
    pub(crate) fn channels(&self) -> usize {
        self.input.d_input
    }

    /// The attention representation (`[d_model]`) of one window `x` (`[time, channels]`).
    pub(crate) fn representation(&self, x: &[f32]) -> Vec<f32> {
        let d_model = self.input.d_output;
        let time = x.len() / self.input.d_input;
        let mut h = Vec::new();
        self.input.forward(x, &mut h);
        add(&mut h, &sinusoid_code(time, d_model));
        let mut scratch = Scratch::default();
        for layer in &self.layers {
            layer.forward(&mut h, time, &mut scratch);
        }
        for frame in h.chunks_exact_mut(d_model) {
            self.norm.normalise(frame);
        }
        mean_over_time(&h, d_model)
    }
}

impl EncoderLayer {
    /// One layer over `h` (`[time, d_model]`), in place.
    fn forward(&self, h: &mut [f32], time: usize, s: &mut Scratch) {
        self.attention_norm.forward(h, &mut s.normed);
        self.query_key_value.forward(&s.normed, &mut s.qkv);
        self.attend(time, s);
        self.output.forward(&s.context, &mut s.out);
        add(h, &s.out);

        self.feed_forward_norm.forward(h, &mut s.normed);
        self.inner.forward(&s.normed, &mut s.hidden);
        gelu(&mut s.hidden);
        self.outer.forward(&s.hidden, &mut s.out);
        add(h, &s.out);
    }

    /// Scaled dot-product attention of every head, from `s.qkv` (`[time, 3·d_model]`) into
    /// `s.context` (`[time, d_model]`). Each head's keys and values are transposed to `[d_k,
    /// time]` first, so that a query's scores are `d_k` passes over contiguous keys and each
    /// context value a dot product over contiguous values.
    fn attend(&self, time: usize, s: &mut Scratch) {
        let d_model = self.output.d_input;
        let d_k = d_model / self.heads;
        let row = 3 * d_model;
        let scale = 1.0 / (d_k as f32).sqrt();
        s.context.clear();
        s.context.resize(time * d_model, 0.0);
        s.keys.resize(d_k * time, 0.0);
        s.values.resize(d_k * time, 0.0);
        s.scores.resize(time, 0.0);
        for head in 0..self.heads {
            let (query, key, value) = (head * d_k, d_model + head * d_k, 2 * d_model + head * d_k);
            for (t, frame) in s.qkv.chunks_exact(row).enumerate() {
                for j in 0..d_k {
                    s.keys[j * time + t] = frame[key + j];
                    s.values[j * time + t] = frame[value + j];
                }
            }
            for t in 0..time {
                s.scores.fill(0.0);
                for (j, &q) in s.qkv[t * row + query..][..d_k].iter().enumerate() {
                    scaled_add(&mut s.scores, q * scale, &s.keys[j * time..][..time]);
                }
                softmax(&mut s.scores);
                let context = &mut s.context[t * d_model + head * d_k..][..d_k];
                for (c, values) in context.iter_mut().zip(s.values.chunks_exact(time)) {
                    *c = dot(&s.scores, values);
                }
            }
        }
    }
}
