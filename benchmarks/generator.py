"""Seconds per simulated field against a dense TDE evaluation, with the errors of the cut.

Run: ``python benchmarks/generator.py [--size 1024] [--seeds 0 1 2 3 4]``

For each seed it prints the time to mesh the fault, to run the TDE kernel and to grid the
field. The dense alternative (every pixel against every triangle) is timed in the same run on
a random sample of pixels and projected to the whole tile; the speed-up compares seconds, not
kernel evaluations, since the treecode's evaluations at interpolation nodes stand for many
pixels. The same direct values, and a direct evaluation of every pixel within 2 px of the
trace, give the largest error of the field, over its peak horizontal displacement.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import time

import numpy as np
from scipy.spatial import cKDTree

from baselines.generator.pixels import pixel_centres_m
from baselines.generator.rupture import build_rupture
from baselines.generator.scenario import sample_scenario
from baselines.generator.simulate import simulate
from baselines.generator.tde import surface_displacement_m

DENSE_SAMPLE_PIXELS = 2000
NEAR_TRACE_PX = 2.0
ERROR_GOAL = 1e-3


def near_trace(trace_px: np.ndarray, size: int, within_px: float) -> np.ndarray:
    """Flat indices of the pixels within ``within_px`` of a polyline ``[K, 2]`` of (col, row)."""
    dense = [
        np.linspace(a, b, max(int(np.ceil(np.linalg.norm(b - a) / 0.05)), 1) + 1)
        for a, b in itertools.pairwise(trace_px)
    ]
    distance, _ = cKDTree(np.concatenate(dense)).query(
        np.column_stack([g.ravel() for g in np.mgrid[0:size, 0:size][::-1]]),
        distance_upper_bound=within_px,
    )
    return np.flatnonzero(distance <= within_px)


def direct_px(seed: int, size: int, pixel_size_m: float, pixels: np.ndarray) -> np.ndarray:
    """Horizontal displacement ``[2, N]`` in pixels at flat pixel indices, every triangle."""
    rupture = build_rupture(sample_scenario(seed, size * pixel_size_m / 1e3), size * pixel_size_m)
    east, north = pixel_centres_m(size, pixel_size_m)
    values = surface_displacement_m(
        east.ravel()[pixels], north.ravel()[pixels], rupture.triangles_m, rupture.slip_tde_m
    )
    return values[:, :2].T / pixel_size_m


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--pixel-size", type=float, default=15.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    size = args.size

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"tile: {size} x {size} px of {args.pixel_size} m")
    print(
        f"{'seed':>4} {'Mw':>5} {'tris':>5} {'mesh s':>7} {'TDE s':>7} {'grid s':>7} "
        f"{'total s':>8} {'dense s':>8} {'speed-up':>8} {'err sampled':>11} "
        f"{'err d<=2':>9} {'d<=2 px':>8}"
    )
    totals, speed_ups, errors = [], [], []
    for seed in args.seeds:
        start = time.perf_counter()
        simulation = simulate(seed, size, args.pixel_size)
        total = time.perf_counter() - start
        field = simulation.displacement_px.reshape(2, -1).astype(np.float64)
        peak = np.abs(field).max()

        sampled = np.random.default_rng(seed).choice(size * size, DENSE_SAMPLE_PIXELS, False)
        start = time.perf_counter()
        sampled_direct = direct_px(seed, size, args.pixel_size, sampled)
        dense_s = (time.perf_counter() - start) * size * size / DENSE_SAMPLE_PIXELS
        band = near_trace(simulation.rupture_px, size, NEAR_TRACE_PX)
        band_direct = direct_px(seed, size, args.pixel_size, band)
        error_sampled = np.abs(field[:, sampled] - sampled_direct).max() / peak
        error_band = np.abs(field[:, band] - band_direct).max() / peak

        totals.append(total)
        speed_ups.append(dense_s / total)
        errors.append(max(error_sampled, error_band))
        timings, scenario = simulation.timings_s, simulation.scenario
        print(
            f"{seed:>4} {scenario['magnitude']:>5.2f} {scenario['num_triangles']:>5} "
            f"{timings['mesh']:>7.2f} {timings['tde']:>7.2f} {timings['gridding']:>7.2f} "
            f"{total:>8.2f} {dense_s:>8.0f} {dense_s / total:>7.0f}x {error_sampled:>11.1e} "
            f"{error_band:>9.1e} {band.size:>8}"
        )
    print(f"mean seconds per field: {np.mean(totals):.2f}")
    print(f"mean speed-up against the dense evaluation: {np.mean(speed_ups):.0f}x")
    verdict = "within" if max(errors) <= ERROR_GOAL else "ABOVE"
    print(f"largest error over the peak: {max(errors):.1e} ({verdict} the goal of {ERROR_GOAL:g})")


if __name__ == "__main__":
    main()
