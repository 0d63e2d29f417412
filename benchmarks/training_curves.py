"""Validation error against training samples seen, from training runs' logs, beside zero's.

Run: ``python benchmarks/training_curves.py LOG [LOG ...] --zero PX --output curves.png``

Each ``LOG`` is a ``quakebench train`` output folder or its ``log.csv`` (a copy named
``MODEL-log.csv`` is labelled ``MODEL``); it gives the validation MAE at every checkpoint, the
steps, samples and seconds between checkpoints. Each curve is labelled with its steps, samples
and wall time; ``--hardware`` titles the figure. ``--zero`` draws the MAE of predicting no
motion on the same validation split (what a network must beat), and ``--correlator`` the
correlator's, where given.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from quakebench.plots import plot_training_curves, save


def read_log(path: Path) -> tuple[str, list[dict]]:
    """A run's name and log rows, from its folder or its ``log.csv``."""
    log = path / "log.csv" if path.is_dir() else path
    name = log.parent.name if log.stem == "log" else log.stem.removesuffix("-log")
    with open(log) as handle:
        return name, list(csv.DictReader(handle))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logs", nargs="+", type=Path)
    parser.add_argument("--zero", type=float, required=True, help="zero's validation MAE, px")
    parser.add_argument("--correlator", type=float, help="the correlator's validation MAE, px")
    parser.add_argument("--hardware", help="what the runs trained on (the figure's title)")
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()

    curves = {}
    for path in args.logs:
        name, rows = read_log(path)
        samples = [int(row["samples"]) for row in rows]
        mae = [float(row["validation_mae_px"]) for row in rows]
        wall_h = sum(float(row["seconds"]) for row in rows) / 3600
        progress = (
            f"{rows[-1]['step']} steps" if rows[-1]["step"] else f"{rows[-1]['epoch']} epochs"
        )
        label = f"{name}: {progress}, {samples[-1]:,} samples, {wall_h:.1f} h"
        curves[label] = (samples, mae)
        best = min(range(len(mae)), key=mae.__getitem__)
        print(f"{label}; best {mae[best]:.4f} px at {samples[best]:,} samples")
    title = f"trained on {args.hardware}" if args.hardware else None
    figure = plot_training_curves(
        curves, args.zero, args.correlator, x_label="training samples seen", title=title
    )
    save(figure, args.output)
    print(f"figure -> {args.output}")


if __name__ == "__main__":
    main()
