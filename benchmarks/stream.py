"""Does rendering starve training? Stream pairs per second against training steps per second.

Run: ``python benchmarks/stream.py BANK_FOLDER [--crop 64] [--batch-size 8] [--model flownets]``

Times, in one run on this machine: loading the bank and the training places' masks (once);
rendering stream pairs in one process (a field cut, turned and scaled, a quintic warp onto a
fresh crop of a training place, normalisation); and a training step of the network on batches
of that size (forward and backward of ``f(pre, post) - f(pre, pre)``, AdamW), on all threads.
Rendering keeps up when its pairs per second exceed the batch size times the steps per second;
the loading processes of ``quakebench train --workers`` add to it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from baselines.models.loss import multiscale_loss
from baselines.models.registry import get_model
from baselines.models.still import StillSubtracted
from baselines.stream.stream import PairStream, StreamConfig, StreamDataset, bank_folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bank", type=Path)
    parser.add_argument("--crop", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--model", default="flownets")
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()

    start = time.perf_counter()
    stream = PairStream(StreamConfig(bank_folder(args.bank), crop=args.crop))
    setup = time.perf_counter() - start
    start = time.perf_counter()
    dataset = StreamDataset(stream)
    batches = [
        [dataset[k * args.batch_size + b] for b in range(args.batch_size)]
        for k in range(args.pairs // args.batch_size)
    ]
    pairs_per_s = args.pairs / (time.perf_counter() - start)

    model = StillSubtracted(get_model(args.model)).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)

    def step(items: list[dict]) -> None:
        images = torch.stack([i["images"] for i in items])
        target = torch.stack([i["displacement"] for i in items])
        valid = torch.stack([i["valid"] for i in items])[:, None].float()
        loss = multiscale_loss(model(images), target, valid)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    step(batches[0])  # warm-up
    start = time.perf_counter()
    for k in range(args.steps):
        step(batches[(k + 1) % len(batches)])
    steps_per_s = args.steps / (time.perf_counter() - start)

    print(f"bank {stream.config.bank}: {len(stream.fields)} fields; places "
          f"{', '.join(sorted({s.place for s in stream.places}))}")  # fmt: skip
    print(f"set-up (bank and masks, once): {setup:.1f} s")
    print(f"rendering: {pairs_per_s:.0f} pairs/s of {args.crop} px in one process")
    print(f"training {args.model}: {steps_per_s:.2f} steps/s of {args.batch_size} pairs on "
          f"{torch.get_num_threads()} threads, needing {steps_per_s * args.batch_size:.0f} "
          "pairs/s")  # fmt: skip
    print(f"rendering / need: {pairs_per_s / (steps_per_s * args.batch_size):.1f}x")


if __name__ == "__main__":
    main()
