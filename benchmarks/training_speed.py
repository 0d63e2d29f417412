"""Training samples per second of the reference networks on CPU, and what thread count,
``channels_last`` and ``torch.compile`` change.

Run: ``python benchmarks/training_speed.py [--models flownets flownetsd strainnet]``

Each variant times full training steps (forward with zero-motion subtraction, multiscale
loss, backward, AdamW) on batches of random 64 px pairs of the stream's shape, after warm-up
steps, in one process; the baseline (every core, contiguous tensors, eager) is timed in the
same run. Rendering the pairs is measured apart (``benchmarks/stream.py``): it is not the
limit.
"""

from __future__ import annotations

import argparse
import os
import time

import torch

from baselines.models.loss import multiscale_loss
from baselines.models.registry import get_model
from baselines.models.still import StillSubtracted

BATCH = {"flownets": 8, "flownetsd": 4, "strainnet": 4}
"""The batch sizes of the long CPU runs (``leaderboard/training/generator-0.7.0``)."""


def samples_per_s(model_name: str, steps: int, threads: int, channels_last: bool,
                  compiled: bool) -> float:  # fmt: skip
    torch.manual_seed(0)
    torch.set_num_threads(threads)
    batch = BATCH[model_name]
    model = StillSubtracted(get_model(model_name)).train()
    memory = torch.channels_last if channels_last else torch.contiguous_format
    model = model.to(memory_format=memory)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    forward = torch.compile(model) if compiled else model
    images = torch.randn(batch, 2, 64, 64).to(memory_format=memory)
    target = 0.1 * torch.randn(batch, 2, 64, 64)
    valid = torch.ones(batch, 1, 64, 64)

    def step() -> None:
        loss = multiscale_loss(forward(images), target, valid)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    for _ in range(2):  # warm-up (and, compiled, the compilation)
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return steps * batch / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(BATCH))
    parser.add_argument("--steps", type=int, default=8)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    variants = {
        f"{cores} threads (baseline)": (cores, False, False),
        "1 thread": (1, False, False),
        "channels_last": (cores, True, False),
        "torch.compile": (cores, False, True),
    }
    print(f"torch {torch.__version__}, {cores} cores; 64 px pairs")
    for name in args.models:
        baseline = None
        for label, (threads, channels_last, compiled) in variants.items():
            try:
                rate = samples_per_s(name, args.steps, threads, channels_last, compiled)
            except Exception as error:  # a compiler the machine lacks: say so, go on
                print(f"  {name:10} {label:24} failed: {str(error).splitlines()[0][:80]}")
                continue
            baseline = baseline or rate
            print(f"  {name:10} {label:24} {rate:6.1f} samples/s ({rate / baseline:.2f}x)")


if __name__ == "__main__":
    main()
