"""Time and peak memory of ``quakebench correlate`` on a pair larger than a block.

Run: ``python benchmarks/scene.py [--size 10000] [--step 1]``

The pair is real Landsat-8 texture (the bundled Gulf coast scene, mirrored to fill the size)
and the same texture moved by one pixel east, written as uint16 GeoTIFFs. ``quakebench
correlate`` runs in a fresh process, which reports its own peak resident memory (``VmHWM``),
so the figure is the map's, block by block, not this script's.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import rasterio

from baselines.imagery.scenes import bundled_catalog

PEAK = (
    "import sys, runpy; sys.argv = ['quakebench', *sys.argv[1:]]\n"
    "try:\n    runpy.run_module('quakebench.cli', run_name='__main__')\n"
    "finally:\n"
    "    print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])\n"
)


def write_pair(folder: Path, size: int) -> tuple[Path, Path]:
    scenes, _ = bundled_catalog()
    texture = scenes["LC08_020039_B8_gulfcoast"].image
    reps = (-(-size // texture.shape[0]) + 1, -(-size // texture.shape[1]) + 1)
    tiled = np.block(
        [[texture[:: (-1) ** i, :: (-1) ** j] for j in range(reps[1])] for i in range(reps[0])]
    )
    image = tiled[:size, : size + 1].astype(np.uint16)
    paths = folder / "pre.tif", folder / "post.tif"
    profile = {
        "driver": "GTiff", "height": size, "width": size, "count": 1, "dtype": "uint16",
        "crs": "EPSG:32615", "transform": rasterio.Affine(15.0, 0, 500000.0, 0, -15.0, 3300000.0),
        "tiled": True, "compress": "deflate",
    }  # fmt: skip
    for path, view in zip(paths, (image[:, 1:], image[:, :-1]), strict=True):
        with rasterio.open(path, "w", **profile) as dataset:
            dataset.write(view, 1)  # post(q) = pre(q - 1 px east)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--step", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        pre, post = write_pair(Path(folder), args.size)
        output = Path(folder) / "map.tif"
        command = ["correlate", str(pre), str(post), "--output", str(output)]
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", PEAK, *command, "--step", str(args.step)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        peak_mb = int(done.stdout.strip().splitlines()[-1]) / 1024
        with rasterio.open(output) as dataset:
            east = dataset.read(1)
        quarter = east.shape[0] // 4
        inner = east[quarter:-quarter, quarter:-quarter]
        size = f"{args.size} x {args.size} px, step {args.step}"
        print(f"{size}: {seconds:.0f} s, peak {peak_mb:.0f} MB")
        print(f"  median east displacement {np.median(inner):.3f} px (true 1.000)")


if __name__ == "__main__":
    main()
