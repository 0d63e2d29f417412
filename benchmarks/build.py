"""Dataset build throughput: samples per second per core, bytes per sample, release projection.

Run: ``python benchmarks/build.py [--size 1024] [--samples 4] [--dataset postwarped]``

Builds a small dataset with one local Dask worker per core, then projects the release
(2 datasets x 100,000 samples of 1024 x 1024) in core-hours and terabytes.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from baselines.generator.source import build_with_generator
from quakebench.config import BuildConfig

RELEASE_SAMPLES = 2 * 100_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--dataset", default="postwarped", choices=("prewarped", "postwarped"))
    args = parser.parse_args()
    cores = os.cpu_count() or 1

    with tempfile.TemporaryDirectory() as folder:
        config = BuildConfig(
            args.dataset,
            args.samples,
            output=Path(folder),
            size=args.size,
            samples_per_shard=max(1, args.samples // cores),
            workers=cores,
        )
        start = time.perf_counter()
        manifest = build_with_generator(config, progress=True)
        elapsed = time.perf_counter() - start
    size = sum(shard["bytes"] for shard in manifest["shards"])

    per_core = args.samples / elapsed / cores
    bytes_per_sample = size / args.samples
    scale = (1024 / args.size) ** 2
    print(f"{args.dataset}: {args.samples} samples of {args.size} px on {cores} cores "
          f"in {elapsed:.1f} s (including the Dask cluster's start)")  # fmt: skip
    print(f"  {per_core:.3f} samples per second per core ({1 / per_core:.1f} core-seconds each)")
    print(f"  {bytes_per_sample / 1e6:.2f} MB per sample on disk "
          f"({bytes_per_sample / args.size**2:.2f} bytes per pixel)")  # fmt: skip
    core_hours = RELEASE_SAMPLES * scale / per_core / 3600
    terabytes = RELEASE_SAMPLES * scale * bytes_per_sample / 1e12
    print(f"release projection (2 x 100,000 of 1024 x 1024): {core_hours:,.0f} core-hours, "
          f"{terabytes:.2f} TB")  # fmt: skip


if __name__ == "__main__":
    main()
