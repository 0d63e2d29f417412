"""Dataset build cost: core-seconds per sample, bytes per sample, release projection.

Run: ``python benchmarks/build.py [--size 1024] [--samples 8] [--dataset postwarped]``

Builds a small dataset with one local Dask worker per core. The fixed set-up is timed apart
and left out of the per-sample cost, so that spreading it over more samples does not pass for
a speed-up: the scenes' masks (preparing the sample source) and starting a Dask cluster (timed
on its own in the same run). The release (2 datasets x 100,000 samples of 1024 x 1024) is
projected in core-hours and terabytes from the per-sample cost.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from dask.distributed import Client, LocalCluster

from baselines.generator.samples.source import generator_source
from quakebench.config import BuildConfig
from quakebench.data.build import build

RELEASE_SAMPLES = 2 * 100_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--dataset", default="postwarped", choices=("prewarped", "postwarped"))
    args = parser.parse_args()
    cores = os.cpu_count() or 1

    start = time.perf_counter()
    with LocalCluster(n_workers=cores, threads_per_worker=1, dashboard_address=":0") as cluster:
        Client(cluster).close()
    cluster_s = time.perf_counter() - start

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
        source = generator_source(config)
        masks_s = time.perf_counter() - start
        start = time.perf_counter()
        manifest = build(config, source, progress=True)
        elapsed = time.perf_counter() - start
    size = sum(shard["bytes"] for shard in manifest["shards"])

    core_s = max(elapsed - cluster_s, 0.0) * cores / args.samples
    bytes_per_sample = size / args.samples
    scale = (1024 / args.size) ** 2
    print(f"{args.dataset}: {args.samples} samples of {args.size} px on {cores} cores")
    print(f"  fixed set-up: scenes' masks {masks_s:.1f} s, Dask cluster start {cluster_s:.1f} s")
    print(f"  build {elapsed:.1f} s wall, less the cluster start: "
          f"{core_s:.1f} core-seconds per sample")  # fmt: skip
    print(f"  {bytes_per_sample / 1e6:.2f} MB per sample on disk "
          f"({bytes_per_sample / args.size**2:.2f} bytes per pixel)")  # fmt: skip
    core_hours = RELEASE_SAMPLES * scale * core_s / 3600
    terabytes = RELEASE_SAMPLES * scale * bytes_per_sample / 1e12
    print(f"release projection (2 x 100,000 of 1024 x 1024): {core_hours:,.0f} core-hours, "
          f"{terabytes:.2f} TB")  # fmt: skip


if __name__ == "__main__":
    main()
