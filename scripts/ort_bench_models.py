"""The real-data bundle's student and teacher (+ semantic classifier) as ONNX files, for the
side-by-side bench of burn against ONNX Runtime Web (scripts/bench-ort.sh).

Why this exists: issue 17 asks that in-browser inference be at least as fast as ONNX Runtime
Web on the same models. ORT runs ONNX, which burn does not write, so the architectures are
rebuilt in PyTorch (the teacher from scripts/train_step_reference.py; the student and the
semantic classifier here, mirroring src/model/student.rs and src/model/semantic.rs) with the
bundle's configs, and exported at batch 1. Weights are random: the cost of a forward pass does
not depend on the values. The parameter counts are checked against the bundle's manifest
(burn counts batch norms' running statistics as parameters), so a drifted replica fails here.

Usage: python scripts/ort_bench_models.py --weights model-weights --out DIR
Writes DIR/student.onnx, DIR/teacher.onnx, DIR/shapes.json (each model's input, channels x frames)
and prints one JSON line of what it wrote.
"""

import argparse
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_step_reference import Teacher, counted_parameters  # noqa: E402


class ConvBlock(nn.Module):
    """src/model/student.rs `ConvBlock`: convolution (no bias, same padding), batch norm, ReLU."""

    def __init__(self, channels_in, channels_out, kernel_size, stride=1, groups=1):
        super().__init__()
        self.conv = nn.Conv1d(
            channels_in, channels_out, kernel_size, stride=stride, padding=kernel_size // 2, groups=groups, bias=False
        )
        self.norm = nn.BatchNorm1d(channels_out)

    def forward(self, x):
        return torch.relu(self.norm(self.conv(x)))


class Student(nn.Module):
    """src/model/student.rs: a stem, depthwise-separable strided blocks, mean over time, a head."""

    def __init__(self, channels, classes, stem_channels, kernel_size, block_channels, stride, **_):
        super().__init__()
        self.stem = ConvBlock(channels, stem_channels, kernel_size)
        blocks = []
        for channels_in, channels_out in zip([stem_channels] + block_channels, block_channels):
            blocks.append(ConvBlock(channels_in, channels_in, kernel_size, stride=stride, groups=channels_in))
            blocks.append(ConvBlock(channels_in, channels_out, 1))
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(block_channels[-1], classes)

    def forward(self, x):  # [1, channels, time] -> [1, classes]
        return self.head(self.blocks(self.stem(x)).mean(dim=2))


class Projection(nn.Module):
    """src/model/semantic.rs `RepresentationProjection`: layer norm, linear, GELU."""

    def __init__(self, d_input, d_output):
        super().__init__()
        self.norm = nn.LayerNorm(d_input)
        self.linear = nn.Linear(d_input, d_output)

    def forward(self, x):
        return nn.functional.gelu(self.linear(self.norm(x)))


class SemanticClassifier(nn.Module):
    """src/model/semantic.rs: three projected views, softmax-weighted sum, merge, head."""

    def __init__(self, d_teacher, d_model, classes, **_):
        super().__init__()
        self.views = nn.ModuleList([Projection(d_teacher, d_model) for _ in range(3)])
        self.scorer = nn.Linear(d_model, 1)
        self.merge = nn.Linear(4 * d_model, d_model)
        self.head = nn.Linear(d_model, classes)

    def forward(self, attention, causal, combined):
        views = torch.stack([p(r) for p, r in zip(self.views, (attention, causal, combined))], dim=1)
        weights = torch.softmax(self.scorer(views), dim=1)  # [batch, 3, 1]
        weighted = (views * weights).sum(dim=1)
        merged = torch.cat([weighted, views.flatten(1)], dim=1)
        return self.head(nn.functional.gelu(self.merge(merged)))


class TeacherAndSemantic(nn.Module):
    """What the app runs per window for the teacher: every head, and the semantic classifier."""

    def __init__(self, teacher, semantic):
        super().__init__()
        self.teacher = teacher
        self.semantic = semantic

    def forward(self, x):
        t = self.teacher
        attention, causal = t.attention(x), t.causal(x)
        combined = t.fusion(attention, causal)
        logits = [head(rep) for head, rep in zip(t.heads, (attention, causal, combined))]
        return (self.semantic(attention, causal, combined), *logits)


def config(weights, name):
    with open(os.path.join(weights, f"{name}.json")) as f:
        return json.load(f)


def export(model, channels, frames, path, outputs):
    model.eval()
    x = torch.randn(1, channels, frames)
    torch.onnx.export(model, (x,), path, input_names=["window"], output_names=outputs, opset_version=17, dynamo=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default="model-weights")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    torch.manual_seed(1)
    with open(os.path.join(args.weights, "manifest.json")) as f:
        manifest = json.load(f)
    frames = manifest["window"]["length"]
    s, t, c = (config(args.weights, n) for n in ("student", "teacher", "semantic"))

    student = Student(**s)
    teacher = Teacher(
        t["channels"], t["classes"], t["d_model"], t["heads"], t["attention_layers"], t["d_ff"],
        t["causal_layers"], t["causal_kernel_size"],
    )
    semantic = SemanticClassifier(**c)
    counts = {
        "student": counted_parameters(student),
        "teacher": counted_parameters(teacher),
        "semantic": counted_parameters(semantic),
    }
    for name, count in counts.items():
        expected = manifest[name]["params"]
        if count != expected:
            sys.exit(f"the {name} replica has {count} parameters, the bundle's {expected}: it has drifted")
    os.makedirs(args.out, exist_ok=True)
    export(student, s["channels"], frames, os.path.join(args.out, "student.onnx"), ["logits"])
    export(
        TeacherAndSemantic(teacher, semantic), t["channels"], frames, os.path.join(args.out, "teacher.onnx"),
        ["semantic_logits", "attention_logits", "causal_logits", "combined_logits"],
    )
    with open(os.path.join(args.out, "shapes.json"), "w") as f:
        json.dump({"student": [s["channels"], frames], "teacher": [t["channels"], frames]}, f)
    print(json.dumps({"frames": frames, "params": counts, "torch": torch.__version__, "out": args.out}))


if __name__ == "__main__":
    main()
