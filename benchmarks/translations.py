"""Does a network generalise? Held-out MAE against steps when learning uniform translations.

Run: ``python benchmarks/translations.py [--model flownets] [--amplitude 2] [--steps 500]
[--learning-rate 1e-4] [--figure translations.png]``

Trains on fresh batches of 8 crops (64 px) from the top half of the bundled Yahtse scene, each
with its copy shifted uniformly by up to ``amplitude`` px in each component (the generator's
quintic warp, quarter turns and flips), and scores 32 crops from the bottom half every 50
steps, printing the MAE as a fraction of the zero prediction's. The tests ask FlowNetS for
less than 0.85 at step 400 with a 2 px amplitude.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from baselines.models.registry import MODELS, get_model

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the protocols shared with the tests: tests/protocols/

from tests.protocols.translations import learn_translations  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="flownets")
    parser.add_argument("--amplitude", type=float, default=2.0, help="pixels")
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--learning-rate", type=float, default=1e-4)
    parser.add_argument("--figure", help="PNG of the held-out MAE against steps")
    args = parser.parse_args()
    print(f"{args.model}: shifts up to {args.amplitude} px")
    torch.manual_seed(0)
    progress = learn_translations(
        get_model(args.model), args.amplitude, args.steps, args.learning_rate, every=50
    )
    steps, ratios = [], []
    for state, zero_mae_px in progress:
        steps.append(state.step)
        ratios.append(state.mae_px / zero_mae_px)
        print(
            f"step {state.step:5d}: held-out mae {state.mae_px:.3f} px = {ratios[-1]:.3f} of "
            f"zero's ({zero_mae_px:.3f} px), {state.seconds:.0f} s"
        )
    if args.figure:
        plot(steps, ratios, args, args.figure)


def plot(steps: list[int], ratios: list[float], args: argparse.Namespace, path: str) -> None:
    """Held-out MAE over zero's MAE against training steps."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(5, 3.2), layout="constrained")
    axes.plot(steps, ratios, marker="o")
    axes.axhline(1.0, color="grey", linestyle="--", label="zero prediction")
    axes.set(
        xlabel="training step (8 pairs)",
        ylabel="held-out MAE / zero's",
        title=f"{args.model}, uniform shifts up to {args.amplitude:g} px",
    )
    axes.legend()
    figure.savefig(path, dpi=150)
    print(f"figure -> {path}")


if __name__ == "__main__":
    main()
