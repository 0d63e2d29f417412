"""Reading a split back: samples exactly as stored, and no hang when reading stops early."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import numpy as np

from quakebench.data.reader import iter_samples, load_split, read_samples, stream_split
from quakebench.data.schema import sample_features
from quakebench.data.shards import write_shard
from tests.conftest import TINY_SIZE


def test_samples_come_back_with_their_stored_types(prewarped_build):
    streamed = next(iter_samples(stream_split(prewarped_build, "validation")))
    mapped = next(iter_samples(load_split(prewarped_build, "validation")))
    read = next(read_samples(prewarped_build, "validation"))
    for sample in (streamed, mapped, read):
        assert sample["pre"].dtype == np.uint16 and sample["valid"].dtype == np.uint8
        assert sample["post"].dtype == sample["displacement"].dtype == np.float32
        assert sample["displacement"].shape == (2, TINY_SIZE, TINY_SIZE)
        assert sample["rupture"].dtype == np.float64 and sample["rupture"].shape[1] == 2
        assert isinstance(sample["magnitude"], float) and isinstance(sample["index"], int)
    for name, value in streamed.items():
        assert np.array_equal(value, mapped[name]) and np.array_equal(value, read[name]), name
    # the trace keeps its float64 bits (datasets' NumPy format would round it to float32)
    assert np.any(streamed["rupture"] != streamed["rupture"].astype(np.float32))


def test_a_split_left_half_read_does_not_hang_at_exit(prewarped_build, tmp_path):
    """A ``datasets`` stream abandoned mid-shard hangs or aborts the interpreter at exit
    (apache/arrow#45214; reproduced with ``datasets`` alone); a folder's samples are read
    with pyarrow's ``iter_batches``, which can stop anywhere."""
    folder = tmp_path / "one-shard"
    shutil.copytree(prewarped_build, folder)
    train = list(iter_samples(load_split(folder, "train")))
    for shard in (folder / "data").glob("train-*.parquet"):
        shard.unlink()
    features = sample_features(TINY_SIZE, "uint16")
    write_shard(folder, "data/train-00000-of-00001.parquet", "train", train, features)
    script = textwrap.dedent(
        f"""
        from quakebench.data.reader import read_samples
        samples = read_samples({str(folder)!r}, "train")
        print(next(samples)["id"])
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "prewarped-train-000000"
