"""Forward and training-step time per 512 x 512 sample for each network, beside the paper's.

Run: ``python benchmarks/models.py [--device cpu] [--batch-size 1] [--repeats 3]``

The seed paper reports per epoch of 80,000 samples on 4 V100 GPUs: FlowNetS 4.6 min,
FlowNetSD 41 min, StrainNet 52 min; the per-sample time those imply is printed alongside.
"""

from __future__ import annotations

import argparse
import time

import torch

from baselines.models.loss import multiscale_loss
from baselines.models.registry import MODELS, get_model

PAPER_EPOCH_MIN = {"flownets": 4.6, "flownetsd": 41.0, "strainnet": 52.0}
PAPER_EPOCH_SAMPLES = 80_000
PAPER_GPUS = 4


def timed(function, repeats: int, device: torch.device) -> float:
    """Median seconds of ``function()`` over ``repeats`` runs, after one warm-up."""
    function()
    times = []
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        function()
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", type=int, default=512)
    args = parser.parse_args()
    device = torch.device(args.device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(
        f"device: {name}, {torch.get_num_threads()} threads, batch {args.batch_size}, "
        f"{args.size} x {args.size}"
    )
    print(
        f"{'model':>10} {'params M':>9} {'forward s/sample':>17} {'train s/sample':>15} "
        f"{'paper GPU-s/sample':>19}"
    )
    for model_name in MODELS:
        params, forward_s, step_s = measure(
            model_name, args.batch_size, args.size, args.repeats, device
        )
        paper = PAPER_EPOCH_MIN[model_name] * 60 * PAPER_GPUS / PAPER_EPOCH_SAMPLES
        print(f"{model_name:>10} {params:>9.2f} {forward_s:>17.3f} {step_s:>15.3f} {paper:>19.4f}")


def measure(name: str, batch_size: int, size: int, repeats: int, device: torch.device):
    """Millions of parameters, and seconds per sample of a forward pass and a training step."""
    model = get_model(name).to(device)
    x = torch.randn(batch_size, 2, size, size, device=device)
    target = torch.randn(batch_size, 2, size, size, device=device) * 0.1
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)

    def forward():
        model.eval()
        with torch.no_grad():
            model(x)

    def step():
        model.train()
        loss = multiscale_loss(model(x), target)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    params = sum(p.numel() for p in model.parameters()) / 1e6
    forward_s = timed(forward, repeats, device) / batch_size
    return params, forward_s, timed(step, repeats, device) / batch_size


if __name__ == "__main__":
    main()
