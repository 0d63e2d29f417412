"""How fast each network overfits a few samples: MAE against training steps.

Run: ``python benchmarks/overfit.py --model flownets [--steps 500] [--samples 3] [--size 64]``

Builds a small ``prewarped`` dataset of ``size`` px tiles in a temporary folder and trains on
``samples`` of them (whole tiles, no augmentation), printing the multiscale loss and the MAE
of the full-resolution prediction every 50 steps. The tests ask each network for an MAE
below 0.02 px.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import torch

from baselines.generator.samples.source import build_with_generator
from baselines.models.registry import MODELS, get_model
from baselines.models.train import network_batch, training_samples
from quakebench.config import BuildConfig

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the protocols shared with the tests: tests/protocols/

from tests.protocols.fit import overfit_batch  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="flownets")
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=3e-4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        config = BuildConfig(
            "prewarped", args.samples + 2, output=Path(folder), size=args.size, seed=1, workers=1
        )
        build_with_generator(config, progress=False)
        samples = training_samples(folder, "train", None, 0)
        batch = torch.utils.data.default_collate([samples[i] for i in range(args.samples)])
    images, target, valid = network_batch(batch, torch.device("cpu"))
    torch.manual_seed(0)
    print(
        f"{args.model}: {args.samples} samples of {args.size} px, mean |u| "
        f"{float(target.abs().mean()):.4f} px"
    )
    progress = overfit_batch(
        get_model(args.model), (images, target, valid), args.steps, args.learning_rate, every=50
    )
    for state in progress:
        print(
            f"step {state.step:5d}: loss {state.loss:.5f}, mae {state.mae_px:.4f} px, "
            f"{state.seconds:.0f} s"
        )


if __name__ == "__main__":
    main()
