"""Validation error against training steps, from training runs' logs, beside zero's.

Run: ``python benchmarks/training_curves.py RUN [RUN ...] --zero PX --output curves.png``

Each ``RUN`` is a ``quakebench train`` output folder; its ``log.csv`` gives the validation MAE
at every checkpoint (steps on a stream, epochs on stored tiles). ``--zero`` draws the MAE of
predicting no motion on the same validation split (what a network must beat), and
``--correlator`` the correlator's, where given.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from quakebench.plots import plot_training_curves, save


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--zero", type=float, required=True, help="zero's validation MAE, px")
    parser.add_argument("--correlator", type=float, help="the correlator's validation MAE, px")
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()

    curves = {}
    for run in args.runs:
        with open(run / "log.csv") as handle:
            rows = list(csv.DictReader(handle))
        steps = [int(row["step"] or row["epoch"]) for row in rows]
        mae = [float(row["validation_mae_px"]) for row in rows]
        curves[run.name] = (steps, mae)
        print(f"{run.name}: " + ", ".join(f"{s}: {m:.4f}" for s, m in zip(steps, mae, strict=True)))
    save(plot_training_curves(curves, args.zero, args.correlator), args.output)
    print(f"figure -> {args.output}")


if __name__ == "__main__":
    main()
