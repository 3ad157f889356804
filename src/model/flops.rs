//! Analytical FLOP counts of one forward pass on one window, per layer, from the configs alone.
//!
//! burn has no FLOP counter, so we count by formula. The convention:
//!
//! - A multiply-accumulate is 2 FLOPs; every other scalar arithmetic operation, comparison or
//!   elementary function (exp, erf, sqrt) is 1.
//! - Convolution: `2·(C_in/groups)·C_out·K·L_out`, plus `C_out·L_out` for the bias.
//! - Linear: `2·in·out` per row, plus `out` per row for the bias.
//! - Multi-head self-attention over `T` steps, `d` wide, `h` heads: the Q, K, V and output
//!   projections (linear, with bias), `QKᵀ` (`2·T·T·d`), the `1/√d_k` scaling (`h·T·T`), the
//!   softmax and `AV` (`2·T·T·d`).
//! - Per element: ReLU 1, GELU 5 (`x·½·(1 + erf(x/√2))`), sigmoid 4 (`1/(1 + exp(-x))`),
//!   softmax 5 (max, subtract, exp, sum, divide), layer norm 7 (mean, centre, square, sum,
//!   normalise, scale, shift), batch norm at inference 4 (subtract mean, divide by std, scale,
//!   shift), residual or gating arithmetic 1 per operation. Mean over `n` values: `n` per output
//!   (`n - 1` adds and a divide).
//! - Not counted: dropout (inference), reshapes and transposes, per-row constants such as a
//!   norm's square root, and host-side work (the sinusoidal position code is computed on the CPU
//!   but its addition is counted).
//!
//! The per-layer primitives are plain Rust; the per-model totals read the models' configs and
//! mirror their `forward`s one layer per line.

#[cfg(feature = "burn")]
use super::{
    attention::AttentionEncoderConfig,
    causal::CausalEncoderConfig,
    fusion::CombinedFusionConfig,
    head::ClassifierHeadConfig,
    semantic::{REPRESENTATIONS, SemanticClassifierConfig},
    student::{ConvBlockConfig, StudentConfig},
    teacher::TeacherConfig,
};

/// FLOPs of one layer (or one operation) in a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerFlops {
    /// Dotted path, e.g. `attention.layer0.scores`.
    pub name: String,
    pub flops: u64,
}

/// A per-layer FLOP breakdown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlopCount {
    pub layers: Vec<LayerFlops>,
}

impl FlopCount {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one layer.
    pub fn add(&mut self, name: impl Into<String>, flops: u64) {
        self.layers.push(LayerFlops { name: name.into(), flops });
    }

    /// Appends all layers of `part`, their names prefixed with `prefix.`.
    pub fn extend(&mut self, prefix: &str, part: FlopCount) {
        for layer in part.layers {
            self.add(format!("{prefix}.{}", layer.name), layer.flops);
        }
    }

    /// The sum over all layers.
    pub fn total(&self) -> u64 {
        self.layers.iter().map(|layer| layer.flops).sum()
    }

    /// The FLOPs of the layers whose names start with `prefix`.
    pub fn total_of(&self, prefix: &str) -> u64 {
        self.layers.iter().filter(|layer| layer.name.starts_with(prefix)).map(|layer| layer.flops).sum()
    }
}

/// FLOPs per element of ReLU.
pub const RELU: u64 = 1;
/// FLOPs per element of (erf-based) GELU.
pub const GELU: u64 = 5;
/// FLOPs per element of the logistic sigmoid.
pub const SIGMOID: u64 = 4;
/// FLOPs per element of softmax.
pub const SOFTMAX: u64 = 5;
/// FLOPs per element of layer normalisation.
pub const LAYER_NORM: u64 = 7;
/// FLOPs per element of batch normalisation at inference.
pub const BATCH_NORM: u64 = 4;

/// Output length of a 1D convolution over `length` steps with `(left, right)` padding.
pub fn conv1d_output_length(
    length: usize,
    kernel_size: usize,
    stride: usize,
    dilation: usize,
    padding: (usize, usize),
) -> usize {
    let span = dilation * (kernel_size - 1) + 1;
    (length + padding.0 + padding.1 - span) / stride + 1
}

/// A 1D convolution producing `length_out` steps.
pub fn conv1d(
    channels_in: usize,
    channels_out: usize,
    kernel_size: usize,
    length_out: usize,
    groups: usize,
    bias: bool,
) -> u64 {
    let macs = (channels_in / groups) * channels_out * kernel_size * length_out;
    (2 * macs + if bias { channels_out * length_out } else { 0 }) as u64
}

/// A linear layer applied to `rows` vectors (time steps × batch).
pub fn linear(d_input: usize, d_output: usize, rows: usize, bias: bool) -> u64 {
    (rows * (2 * d_input * d_output + if bias { d_output } else { 0 })) as u64
}

/// Multi-head self-attention over `time` steps as burn computes it (projections with bias).
pub fn self_attention(d_model: usize, heads: usize, time: usize) -> FlopCount {
    let scores = (heads * time * time) as u64;
    let mut count = FlopCount::new();
    count.add("query", linear(d_model, d_model, time, true));
    count.add("key", linear(d_model, d_model, time, true));
    count.add("value", linear(d_model, d_model, time, true));
    count.add("scores", (2 * time * time * d_model) as u64);
    count.add("scale", scores);
    count.add("softmax", SOFTMAX * scores);
    count.add("context", (2 * time * time * d_model) as u64);
    count.add("output", linear(d_model, d_model, time, true));
    count
}

// Per-model totals, from the configs the models are built from; each mirrors its `forward`.

/// The stage-1 teacher on one window of `time` frames.
#[cfg(feature = "burn")]
pub fn teacher_flops(config: &TeacherConfig, time: usize) -> FlopCount {
    let mut count = FlopCount::new();
    count.extend("attention", attention_encoder_flops(&config.attention(), time));
    count.extend("causal", causal_encoder_flops(&config.causal(), time));
    count.extend("fusion", fusion_flops(&config.fusion()));
    for head in ["attention_head", "causal_head", "combined_head"] {
        count.extend(head, head_flops(&config.head()));
    }
    count
}

/// The attention branch: input projection, position code, pre-norm transformer layers,
/// final norm, mean over time.
#[cfg(feature = "burn")]
pub fn attention_encoder_flops(config: &AttentionEncoderConfig, time: usize) -> FlopCount {
    let (d, steps) = (config.d_model, (time * config.d_model) as u64);
    let mut count = FlopCount::new();
    count.add("input", linear(config.channels, d, time, true));
    count.add("positional", steps);
    for layer in 0..config.layers {
        let mut block = FlopCount::new();
        block.add("norm_attention", LAYER_NORM * steps);
        block.extend("attention", self_attention(d, config.heads, time));
        block.add("residual_attention", steps);
        block.add("norm_feed_forward", LAYER_NORM * steps);
        block.add("feed_forward_inner", linear(d, config.d_ff, time, true));
        block.add("gelu", GELU * (time * config.d_ff) as u64);
        block.add("feed_forward_outer", linear(config.d_ff, d, time, true));
        block.add("residual_feed_forward", steps);
        count.extend(&format!("layer{layer}"), block);
    }
    count.add("norm", LAYER_NORM * steps);
    count.add("pool", steps);
    count
}

/// The causal branch: 1x1 input convolution, residual causal blocks, mean over time.
#[cfg(feature = "burn")]
pub fn causal_encoder_flops(config: &CausalEncoderConfig, time: usize) -> FlopCount {
    let (d, steps) = (config.d_model, (time * config.d_model) as u64);
    let mut count = FlopCount::new();
    count.add("input", conv1d(config.channels, d, 1, time, 1, true));
    for layer in 0..config.layers {
        // Left padding `(k - 1)·dilation` keeps the length.
        let mut block = FlopCount::new();
        block.add("conv", conv1d(d, d, config.kernel_size, time, 1, false));
        block.add("norm", BATCH_NORM * steps);
        block.add("gelu", GELU * steps);
        block.add("residual", steps);
        count.extend(&format!("block{layer}"), block);
    }
    count.add("pool", steps);
    count
}

/// The gated fusion of the attention and causal representations.
#[cfg(feature = "burn")]
pub fn fusion_flops(config: &CombinedFusionConfig) -> FlopCount {
    let d = config.d_model;
    let mut count = FlopCount::new();
    count.add("gate", linear(2 * d, d, 1, true));
    count.add("sigmoid", SIGMOID * d as u64);
    // g·a, 1 - g, (1 - g)·c, and their sum.
    count.add("mix", 4 * d as u64);
    count.add("output", linear(d, d, 1, true));
    count.add("gelu", GELU * d as u64);
    count
}

/// A linear classification head.
#[cfg(feature = "burn")]
pub fn head_flops(config: &ClassifierHeadConfig) -> FlopCount {
    let mut count = FlopCount::new();
    count.add("linear", linear(config.d_input, config.classes, 1, true));
    count
}

/// The semantic classifier on one window's three teacher representations.
#[cfg(feature = "burn")]
pub fn semantic_flops(config: &SemanticClassifierConfig) -> FlopCount {
    let (d_in, d) = (config.d_teacher, config.d_model);
    let views = REPRESENTATIONS.len();
    let mut count = FlopCount::new();
    for view in REPRESENTATIONS {
        count.add(format!("{view}.norm"), LAYER_NORM * d_in as u64);
        count.add(format!("{view}.linear"), linear(d_in, d, 1, true));
        count.add(format!("{view}.gelu"), GELU * d as u64);
    }
    count.add("scorer", linear(d, 1, views, true));
    count.add("softmax", SOFTMAX * views as u64);
    // `views·d` products, then `(views - 1)·d` additions.
    count.add("weighted_sum", ((2 * views - 1) * d) as u64);
    count.add("merge", linear((views + 1) * d, d, 1, true));
    count.add("gelu", GELU * d as u64);
    count.extend("head", head_flops(&config.head()));
    count
}

/// The student on one window of `time` frames.
#[cfg(feature = "burn")]
pub fn student_flops(config: &StudentConfig, time: usize) -> FlopCount {
    let mut count = FlopCount::new();
    let (stem, mut length) = conv_block_flops(&config.stem(), time);
    count.extend("stem", stem);
    for (i, block) in config.blocks().iter().enumerate() {
        let (depthwise, after_depthwise) = conv_block_flops(&block.depthwise(), length);
        let (pointwise, after_pointwise) = conv_block_flops(&block.pointwise(), after_depthwise);
        count.extend(&format!("block{i}.depthwise"), depthwise);
        count.extend(&format!("block{i}.pointwise"), pointwise);
        length = after_pointwise;
    }
    count.add("pool", (config.representation_size() * length) as u64);
    count.extend("head", head_flops(&config.head()));
    count
}

/// Convolution (no bias), batch norm and ReLU; returns the count and the output length.
#[cfg(feature = "burn")]
fn conv_block_flops(config: &ConvBlockConfig, length: usize) -> (FlopCount, usize) {
    let length_out = conv1d_output_length(length, config.kernel_size, config.stride, 1, config.padding());
    let elements = (config.channels_out * length_out) as u64;
    let mut count = FlopCount::new();
    count.add(
        "conv",
        conv1d(config.channels_in, config.channels_out, config.kernel_size, length_out, config.groups, false),
    );
    count.add("norm", BATCH_NORM * elements);
    count.add("relu", RELU * elements);
    (count, length_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conv1d_counts_macs_twice_plus_bias() {
        // 3 → 16 channels, kernel 5, 60 steps: 3·16·5·60 = 14,400 MACs = 28,800 FLOPs;
        // the bias adds 16·60 = 960.
        assert_eq!(conv1d(3, 16, 5, 60, 1, false), 28_800);
        assert_eq!(conv1d(3, 16, 5, 60, 1, true), 29_760);
        // Depthwise over 16 channels: 1·16·5·30 = 2,400 MACs.
        assert_eq!(conv1d(16, 16, 5, 30, 16, false), 4_800);
    }

    #[test]
    fn conv1d_output_length_follows_padding_stride_and_dilation() {
        assert_eq!(conv1d_output_length(60, 5, 1, 8, (32, 0)), 60); // causal, dilation 8
        assert_eq!(conv1d_output_length(60, 5, 2, 1, (2, 2)), 30);
        assert_eq!(conv1d_output_length(15, 5, 2, 1, (2, 2)), 8);
        assert_eq!(conv1d_output_length(1, 5, 2, 1, (2, 2)), 1);
        assert_eq!(conv1d_output_length(10, 4, 1, 1, (2, 1)), 10);
    }

    #[test]
    fn linear_counts_per_row() {
        // 46 → 48 over 60 steps: 2·46·48·60 = 264,960, bias 48·60 = 2,880.
        assert_eq!(linear(46, 48, 60, true), 267_840);
        assert_eq!(linear(4, 3, 1, false), 24);
    }

    #[test]
    fn self_attention_counts_projections_matmuls_and_softmax() {
        // d = 4, 2 heads, 3 steps. Each projection 3·(2·4·4 + 4) = 108, four: 432.
        // QKᵀ and AV: 2·3·3·4 = 72 each. Scale 2·3·3 = 18, softmax 5·18 = 90. Total 684.
        let count = self_attention(4, 2, 3);
        assert_eq!(count.total(), 684);
        assert_eq!(count.total_of("scores"), 72);
        assert_eq!(count.total_of("softmax"), 90);
    }

    #[test]
    fn extend_prefixes_names() {
        let mut inner = FlopCount::new();
        inner.add("conv", 10);
        let mut outer = FlopCount::new();
        outer.add("input", 1);
        outer.extend("block0", inner);
        assert_eq!(outer.layers[1], LayerFlops { name: "block0.conv".into(), flops: 10 });
        assert_eq!(outer.total(), 11);
        assert_eq!(outer.total_of("block0"), 10);
    }

    /// The default teacher on 60 frames (46 channels, d = 48, 4 heads, d_ff 96, kernel 5),
    /// by hand. Per-step tensors have 60·48 = 2,880 elements.
    ///
    /// Attention branch:
    /// - input 2·46·48·60 + 2,880 = 267,840; position code 2,880
    /// - per layer: two layer norms 2·7·2,880 = 40,320; Q/K/V/O 4·(2·48·48·60 + 2,880) =
    ///   1,117,440; QKᵀ and AV 2·(2·60·60·48) = 691,200; scale 4·3,600 = 14,400; softmax
    ///   72,000; two residuals 5,760; feed-forward 2·48·96·60 + 96·60 = 558,720 and
    ///   2·96·48·60 + 2,880 = 555,840; GELU 5·5,760 = 28,800. Per layer 3,084,480, two 6,168,960.
    /// - final norm 20,160; pool 2,880. Branch total 6,462,720.
    ///
    /// Causal branch:
    /// - input 1x1 conv 267,840
    /// - per block: conv 2·48·48·5·60 = 1,382,400; batch norm 11,520; GELU 14,400; residual
    ///   2,880: 1,411,200; four 5,644,800
    /// - pool 2,880. Branch total 5,915,520.
    ///
    /// Fusion: gate 2·96·48 + 48 = 9,264; sigmoid 192; mix 192; output 2·48·48 + 48 = 4,656;
    /// GELU 240. Total 14,544.
    ///
    /// Heads: 3·(2·48·11 + 11) = 3,201.
    ///
    /// Teacher: 12,395,985.
    #[cfg(feature = "burn")]
    #[test]
    fn default_teacher_matches_the_hand_count() {
        let count = teacher_flops(&TeacherConfig::new(), 60);
        assert_eq!(count.total_of("attention."), 6_462_720);
        assert_eq!(count.total_of("causal."), 5_915_520);
        assert_eq!(count.total_of("fusion."), 14_544);
        assert_eq!(count.total(), 12_395_985);
    }

    /// The default semantic classifier, by hand: per view layer norm 7·48 = 336, linear
    /// 2·48·48 + 48 = 4,656, GELU 240 (5,232; three 15,696); scorer 3·(2·48 + 1) = 291;
    /// softmax 15; weighted sum 3·48 + 2·48 = 240; merge 2·192·48 + 48 = 18,480; GELU 240;
    /// head 2·48·11 + 11 = 1,067. Total 36,029.
    #[cfg(feature = "burn")]
    #[test]
    fn default_semantic_classifier_matches_the_hand_count() {
        assert_eq!(semantic_flops(&SemanticClassifierConfig::new()).total(), 36_029);
    }

    /// The default student on 60 frames, by hand (no conv biases; BN 4 and ReLU 1 per element):
    /// - stem 3→16, k 5, 60 steps: 28,800 + 4·960 + 960 = 33,600
    /// - block 16→32, 30 steps: depthwise 2·16·5·30 = 4,800 + 2,400; pointwise
    ///   2·16·32·30 = 30,720 + 4,800: 42,720
    /// - block 32→48, 15 steps: 4,800 + 2,400; 46,080 + 3,600: 56,880
    /// - block 48→64, 8 steps: 3,840 + 1,920; 49,152 + 2,560: 57,472
    /// - pool 64·8 = 512; head 2·64·11 + 11 = 1,419
    ///
    /// Total 192,603.
    #[cfg(feature = "burn")]
    #[test]
    fn default_student_matches_the_hand_count() {
        let count = student_flops(&StudentConfig::new(), 60);
        assert_eq!(count.total_of("stem."), 33_600);
        assert_eq!(count.total_of("block0."), 42_720);
        assert_eq!(count.total_of("block2."), 57_472);
        assert_eq!(count.total(), 192_603);
    }

    #[cfg(feature = "burn")]
    #[test]
    fn counts_grow_with_the_window() {
        let teacher = TeacherConfig::new();
        assert!(teacher_flops(&teacher, 120).total() > 2 * teacher_flops(&teacher, 60).total());
        let student = StudentConfig::new();
        assert!(student_flops(&student, 120).total() > student_flops(&student, 60).total());
    }
}
