"""PyTorch reference for the teacher's training step, timed the way `cargo bench --bench
train_step` times burn's: same architecture, batch, window and optimiser.

Why this exists: issue 17 asks that burn's training step stay within 1.5x of PyTorch's on the
same machine. The architecture mirrors src/model/teacher.rs (attention branch: linear input,
sinusoids, two pre-norm transformer layers with GELU, final layer norm, mean over time;
causal branch: 1x1 conv, four dilated causal conv + batch norm + GELU blocks with residuals,
mean over time; gated fusion; three dropout + linear heads), one cross-entropy per head,
Adam at 2e-3. Inputs are random: the cost of a step does not depend on the values.

Run by scripts/bench-train-step.sh, which installs torch from PyPI into a virtual environment.
Prints one JSON line: {"framework": "pytorch", "median_ms": ..., ...}.
"""

import argparse
import json
import math
import statistics
import time

import torch
from torch import nn


def sinusoids(length: int, d_model: int) -> torch.Tensor:
    """src/model/attention.rs `sinusoids`: sin on even features, cos on odd, paired frequencies."""
    t = torch.arange(length, dtype=torch.float32).unsqueeze(1)
    i = torch.arange(d_model)
    frequency = torch.pow(10_000.0, -((i - i % 2).float()) / d_model)
    angle = t * frequency
    return torch.where(i % 2 == 0, torch.sin(angle), torch.cos(angle))


class AttentionEncoder(nn.Module):
    def __init__(self, channels, d_model, heads, layers, d_ff):
        super().__init__()
        self.input = nn.Linear(channels, d_model)
        layer = nn.TransformerEncoderLayer(
            d_model, heads, d_ff, dropout=0.0, activation="gelu", batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)

    def forward(self, x):  # [batch, channels, time] -> [batch, d_model]
        x = self.input(x.transpose(1, 2))
        x = x + sinusoids(x.shape[1], x.shape[2])
        return self.norm(self.encoder(x)).mean(dim=1)


class CausalBlock(nn.Module):
    def __init__(self, channels, kernel_size, dilation):
        super().__init__()
        self.pad = (kernel_size - 1) * dilation
        self.conv = nn.Conv1d(channels, channels, kernel_size, dilation=dilation, bias=False)
        self.norm = nn.BatchNorm1d(channels)
        self.activation = nn.GELU()

    def forward(self, x):  # [batch, channels, time] -> same
        y = self.conv(nn.functional.pad(x, (self.pad, 0)))
        return self.activation(self.norm(y)) + x


class CausalEncoder(nn.Module):
    def __init__(self, channels, d_model, layers, kernel_size):
        super().__init__()
        self.input = nn.Conv1d(channels, d_model, 1)
        self.blocks = nn.Sequential(*[CausalBlock(d_model, kernel_size, 1 << layer) for layer in range(layers)])

    def forward(self, x):  # [batch, channels, time] -> [batch, d_model]
        return self.blocks(self.input(x)).mean(dim=2)


class Fusion(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.gate = nn.Linear(2 * d_model, d_model)
        self.output = nn.Linear(d_model, d_model)
        self.activation = nn.GELU()

    def forward(self, attention, causal):
        gate = torch.sigmoid(self.gate(torch.cat([attention, causal], dim=1)))
        return self.activation(self.output(gate * attention + (1 - gate) * causal))


class Teacher(nn.Module):
    def __init__(self, channels, classes=11, d_model=48, heads=4, layers=2, d_ff=96, causal_layers=4, kernel=5):
        super().__init__()
        self.attention = AttentionEncoder(channels, d_model, heads, layers, d_ff)
        self.causal = CausalEncoder(channels, d_model, causal_layers, kernel)
        self.fusion = Fusion(d_model)
        self.heads = nn.ModuleList(
            [nn.Sequential(nn.Dropout(0.1), nn.Linear(d_model, classes)) for _ in range(3)]
        )

    def forward(self, x):
        attention = self.attention(x)
        causal = self.causal(x)
        combined = self.fusion(attention, causal)
        return [head(rep) for head, rep in zip(self.heads, (attention, causal, combined))]


def counted_parameters(model: nn.Module) -> int:
    """Parameters plus batch norms' running statistics, which burn counts as parameters."""
    buffers = sum(b.numel() for name, b in model.named_buffers() if "running" in name)
    return sum(p.numel() for p in model.parameters()) + buffers


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=27)
    parser.add_argument("--frames", type=int, default=133)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)

    model = Teacher(args.channels)
    model.train()
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(args.batch, args.channels, args.frames)
    targets = torch.randint(0, 11, (args.batch,))

    def step():
        optimiser.zero_grad(set_to_none=True)
        loss = sum(loss_fn(logits, targets) for logits in model(x))
        loss.backward()
        optimiser.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        loss = step()
        times.append((time.perf_counter() - start) * 1e3)
    assert math.isfinite(loss)
    print(
        json.dumps(
            {
                "framework": "pytorch",
                "version": torch.__version__,
                "threads": args.threads,
                "params": counted_parameters(model),
                "batch": args.batch,
                "channels": args.channels,
                "frames": args.frames,
                "steps": args.steps,
                "median_ms": round(statistics.median(times), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
