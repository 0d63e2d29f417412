"""Reading a split back: samples exactly as stored, and no hang when reading stops early."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import datasets
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from quakebench.data.reader import (
    features_layout,
    iter_samples,
    load_split,
    read_samples,
    shard_layout,
    stream_split,
)
from quakebench.data.schema import sample_features
from quakebench.data.shards import write_shard
from quakebench.errors import QuakebenchError
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
    row group by row group with pyarrow, which can stop anywhere."""
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


def test_shard_layout_is_what_datasets_reads(prewarped_build, tmp_path):
    """The arrays' shapes and dtypes read from a shard's metadata without ``datasets`` are
    those of ``datasets.Features.from_arrow_schema``; a Parquet file without ``datasets``'
    metadata is refused naming it."""
    shard = sorted((prewarped_build / "data").glob("train-*.parquet"))[0]
    schema = pq.read_schema(shard)
    expected = features_layout(datasets.Features.from_arrow_schema(schema))
    assert shard_layout(schema, shard) == expected
    assert expected["displacement"] == ((2, TINY_SIZE, TINY_SIZE), "float32")
    bare = tmp_path / "bare.parquet"
    pq.write_table(pq.read_table(shard).replace_schema_metadata(None), bare)
    with pytest.raises(QuakebenchError, match=r"bare\.parquet: no datasets features"):
        shard_layout(pq.read_schema(bare), bare)


def test_row_groups_of_several_samples_read_as_datasets_does(prewarped_build, tmp_path):
    """A shard written by another tool, three samples to a row group, reads sample by sample
    exactly as ``datasets`` loads it."""
    folder = tmp_path / "grouped"
    shutil.copytree(prewarped_build, folder)
    shards = sorted((folder / "data").glob("train-*.parquet"))
    table = pa.concat_tables([pq.read_table(shard) for shard in shards])
    for shard in shards:
        shard.unlink()
    pq.write_table(table, folder / "data/train-00000-of-00001.parquet", row_group_size=3)
    read = list(read_samples(folder, "train"))
    loaded = list(iter_samples(load_split(folder, "train")))
    assert len(read) == len(loaded) == table.num_rows > 3
    for ours, theirs in zip(read, loaded, strict=True):
        assert list(ours) == list(theirs)
        for name, value in theirs.items():
            assert np.array_equal(ours[name], value), name
            assert np.asarray(ours[name]).dtype == np.asarray(value).dtype, name


def test_a_local_folder_is_scored_without_importing_datasets(prewarped_build):
    """Importing ``datasets`` costs about 50 MB and 0.5 s; a local folder is read without
    it."""
    script = textwrap.dedent(
        f"""
        import sys
        from quakebench.data.reader import read_samples, split_ids
        import quakebench.evaluate
        assert next(read_samples({str(prewarped_build)!r}, "validation"))["id"]
        assert split_ids({str(prewarped_build)!r}, "validation")
        print(sorted(m for m in sys.modules if m.split(".")[0] == "datasets"))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_missing_value_is_an_error_naming_the_field():
    from quakebench.data.reader import decode

    trace = pa.array([[[1.0, 2.0], [3.0, None]]], pa.list_(pa.list_(pa.float64(), 2)))
    with pytest.raises(QuakebenchError, match="rupture: 1 missing values"):
        decode(pa.table({"rupture": trace}), {})
