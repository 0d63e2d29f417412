"""Time and peak memory of ``quakebench evaluate`` for two numbers of 1024 x 1024 samples.

Run: ``python benchmarks/evaluate.py [--counts 16 64] [--size 1024] [--per-shard 8]``

The evaluator, not the generator, is measured: the dataset folder is written directly with
stand-in samples of the right schema and size (random texture, a smooth displacement with a
step across a straight trace), and a predictions file of the truth plus noise. Each evaluation
runs in a fresh process, which reports its own peak resident memory (``VmHWM``: ``getrusage``
would include this process's memory, which a child inherits until it calls ``exec``); the
cost of a sample is the slope between the two counts, which leaves out the start-up.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from quakebench.contract import SCENARIO_FIELDS, sample_id, split_of
from quakebench.data.card import render_card
from quakebench.data.manifest import write_manifest
from quakebench.data.schema import sample_features
from quakebench.data.shards import shard_name, write_shard
from quakebench.predictions import PredictionWriter


def stand_in_displacement(size: int) -> np.ndarray:
    """A smooth field with a step down the middle column, ``float32 [2, S, S]``."""
    rows, cols = np.mgrid[0:size, 0:size] / size
    field = np.stack([0.1 * np.sin(3 * rows) * np.sign(cols - 0.5), 0.05 * cols])
    return field.astype(np.float32)


def stand_in_sample(index: int, size: int, rng: np.random.Generator) -> dict:
    """A sample with the schema and size of a real one (not a physical simulation)."""
    scenario = {name: 0.0 for name in SCENARIO_FIELDS} | {
        "sense": "right-lateral",
        "generator": "stand-in",
        "num_triangles": 0,
    }
    return {
        "id": sample_id("prewarped", index),
        "dataset": "prewarped",
        "split": split_of(index),
        "index": index,
        "seed": index,
        **scenario,
        "magnitude": 7.0,
        "pre": rng.integers(5000, 30000, (size, size), dtype=np.uint16),
        "post": rng.random((size, size), dtype=np.float32),
        "displacement": stand_in_displacement(size),
        "valid": np.ones((size, size), np.uint8),
        "rupture": np.array([[size / 2 - 0.5, -1.0], [size / 2 - 0.5, size]]),
        "place": "stand-in",
        "role": "train",
        "pre_scene": "stand-in",
        "post_scene": "stand-in",
        "pre_date": "",
        "post_date": "",
        "crop_row": 0,
        "crop_col": 0,
        "orientation": 0,
        "crs": "EPSG:32607",
        "geotransform": [15.0, 0.0, 0.0, 0.0, -15.0, 0.0],
        "pixel_size_m": 15.0,
        "coregistration_row_px": 0.0,
        "coregistration_col_px": 0.0,
    }


def make_dataset(folder: Path, count: int, size: int, per_shard: int) -> Path:
    """A validation split of ``count`` stand-in samples, and a predictions file for it."""
    rng = np.random.default_rng(0)
    features = sample_features(size)
    indices = [5 * k + 4 for k in range(count)]  # validation indices
    chunks = [indices[i : i + per_shard] for i in range(0, count, per_shard)]
    shards = [
        write_shard(
            folder,
            shard_name("validation", k, len(chunks)),
            "validation",
            (stand_in_sample(i, size, rng) for i in chunk),
            features,
        )
        for k, chunk in enumerate(chunks)
    ]
    parameters = {
        "dataset": "prewarped",
        "preset": None,
        "num_samples": count,
        "num_test_samples": 0,
        "size": size,
        "seed": 0,
        "generator": "stand-in",
        "scenes": ["stand-in"],
        "places": {"train": ["stand-in"], "test": []},
        "min_valid_fraction": 0.5,
        "complete": True,
    }
    manifest = write_manifest(folder, parameters, shards)
    (folder / "README.md").write_text(render_card(manifest, features, shards))
    predictions = folder.parent / f"{folder.name}.npz"
    truth = stand_in_displacement(size)
    with PredictionWriter(predictions) as writer:
        for i in indices:
            writer.write(sample_id("prewarped", i), truth + rng.normal(0, 0.05, truth.shape))
    return predictions


EVALUATE = """
import runpy, sys
sys.argv = ["quakebench", *sys.argv[1:]]
try:
    runpy.run_module("quakebench.cli", run_name="__main__")
finally:
    peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
    print(int(peak.split()[1]) // 1024, file=sys.stderr)
"""
"""``quakebench ...`` that prints its peak resident memory, MB, last on stderr."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs=2, default=[16, 64])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--per-shard", type=int, default=8, help="samples per shard")
    args = parser.parse_args()
    seconds = []
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.counts:
            folder = Path(tmp) / f"n{count}"
            predictions = make_dataset(folder, count, args.size, args.per_shard)
            start = time.perf_counter()
            run = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    EVALUATE,
                    "evaluate",
                    str(predictions),
                    "--dataset",
                    str(folder),
                ],
                check=True,
                capture_output=True,
                env={"HF_HOME": str(Path(tmp) / "hf"), "PATH": "/usr/bin:/bin"},
            )
            elapsed = time.perf_counter() - start
            seconds.append(elapsed)
            peak_mb = int(run.stderr.split()[-1])
            print(
                f"{count:>4} samples of {args.size} px: {elapsed:6.1f} s "
                f"({elapsed / count:.2f} s per sample, with start-up), "
                f"peak memory {peak_mb} MB"
            )
    slope = (seconds[1] - seconds[0]) / (args.counts[1] - args.counts[0])
    print(f"per sample, start-up left out: {slope:.3f} s")


if __name__ == "__main__":
    main()
