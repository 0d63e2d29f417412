"""Seconds per simulated sample, with a breakdown, against a dense TDE evaluation.

Run: ``python benchmarks/generator.py [--size 1024] [--seeds 0 1 2]``

For each seed it prints the time to mesh the fault, to run the TDE kernel and to grid the
field, and the number of kernel evaluations (points x triangles). The dense alternative
(every pixel against every triangle) is timed on a sample of pixels in the same run and
projected to the whole tile.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from baselines.generator.pixels import pixel_centres_m
from baselines.generator.rupture import build_rupture
from baselines.generator.scenario import sample_scenario
from baselines.generator.simulate import simulate
from baselines.generator.tde import surface_displacement_m

DENSE_SAMPLE_PIXELS = 2000


def dense_seconds(seed: int, size: int, pixel_size_m: float) -> tuple[float, int]:
    """Projected seconds and evaluations to evaluate every pixel against every triangle."""
    rupture = build_rupture(sample_scenario(seed, size * pixel_size_m / 1e3), size * pixel_size_m)
    east, north = pixel_centres_m(size, pixel_size_m)
    pick = np.random.default_rng(seed).choice(east.size, DENSE_SAMPLE_PIXELS, replace=False)
    start = time.perf_counter()
    surface_displacement_m(
        east.ravel()[pick], north.ravel()[pick], rupture.triangles_m, rupture.slip_tde_m
    )
    elapsed = time.perf_counter() - start
    return elapsed * east.size / DENSE_SAMPLE_PIXELS, east.size * len(rupture.triangles)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--pixel-size", type=float, default=15.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"tile: {args.size} x {args.size} px of {args.pixel_size} m")
    header = (
        f"{'seed':>4} {'Mw':>5} {'tris':>5} {'mesh s':>7} {'TDE s':>7} {'grid s':>7} "
        f"{'total s':>8} {'evals M':>8} {'dense evals M':>14} {'dense s':>8} {'speed-up':>8}"
    )
    print(header)
    totals = []
    for seed in args.seeds:
        start = time.perf_counter()
        simulation = simulate(seed, args.size, args.pixel_size)
        total = time.perf_counter() - start
        totals.append(total)
        timings, scenario = simulation.timings_s, simulation.scenario
        evaluations = sum(simulation.evaluations.values())
        dense_s, dense_evaluations = dense_seconds(seed, args.size, args.pixel_size)
        print(
            f"{seed:>4} {scenario['magnitude']:>5.2f} {scenario['num_triangles']:>5} "
            f"{timings['mesh']:>7.2f} {timings['tde']:>7.2f} {timings['gridding']:>7.2f} "
            f"{total:>8.2f} {evaluations / 1e6:>8.2f} {dense_evaluations / 1e6:>14.1f} "
            f"{dense_s:>8.0f} {dense_s / total:>7.0f}x"
        )
    print(f"mean seconds per sample: {np.mean(totals):.2f} (goal <= 10 s on 2 cores)")


if __name__ == "__main__":
    main()
