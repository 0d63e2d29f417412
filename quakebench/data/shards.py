"""Parquet shards of samples: one sample per row group, zstd, no dictionary on the arrays.

Float arrays are stored with the BYTE_STREAM_SPLIT encoding, which groups the bytes of each
significance together before compression: on 1024 x 1024 samples it shrinks them from 12.8 to
9.4 bytes per pixel.

Shards are written through a temporary file and renamed, so a shard either exists complete or
not at all; the same samples always give the same bytes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from quakebench.atomic import atomic_path
from quakebench.checksums import sha256_file
from quakebench.contract import ARRAY_FIELDS, SCALAR_FIELDS
from quakebench.data.content import sample_digest

if TYPE_CHECKING:  # the features are passed in: readers of shard metadata need no datasets
    import datasets

SAMPLES_KEY = b"quakebench.sample_sha256"
"""Parquet footer metadata: ``{id: digest}`` of the shard's samples (:mod:`content`)."""


@dataclass(frozen=True)
class ShardInfo:
    """A written shard: its path in the dataset folder, checksum, size, and its samples' ids
    with their content digests."""

    file: str
    split: str
    sha256: str
    bytes: int
    num_samples: int
    first_id: str
    last_id: str
    sample_sha256: dict[str, str]


def shard_name(split: str, index: int, count: int) -> str:
    """The Hub's shard naming, e.g. ``data/train-00000-of-00004.parquet``."""
    return f"data/{split}-{index:05d}-of-{count:05d}.parquet"


def _nested(array: np.ndarray) -> pa.Array:
    """A one-row arrow ``list<list<...>>`` holding an N-D array, without copying to Python."""
    nested = pa.array(np.ascontiguousarray(array).ravel())
    for length in reversed(array.shape):
        offsets = np.arange(0, len(nested) + 1, length, dtype=np.int32)
        nested = pa.ListArray.from_arrays(pa.array(offsets), nested)
    return nested


def stored(sample: dict, features: datasets.Features) -> dict:
    """The sample as the shard stores it: the features' fields, arrays in their stored dtype."""
    out = {name: sample[name] for name in features}
    for name in ARRAY_FIELDS:
        out[name] = np.asarray(sample[name], dtype=np.dtype(features[name].dtype))
    return out


def sample_table(sample: dict, features: datasets.Features) -> pa.Table:
    """A one-row table of ``sample`` with the features' arrow schema."""
    schema = features.arrow_schema
    columns = []
    for field in schema:
        value = sample[field.name]
        if field.name in ARRAY_FIELDS:
            dtype = np.dtype(features[field.name].dtype)
            storage = _nested(np.asarray(value, dtype=dtype))
            columns.append(pa.ExtensionArray.from_storage(field.type, storage))
        elif field.name in ("rupture", "geotransform"):
            columns.append(pa.array([np.asarray(value, dtype=np.float64).tolist()], field.type))
        else:
            columns.append(pa.array([value], field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def write_shard(
    folder: str | os.PathLike,
    name: str,
    split: str,
    samples: Iterable[dict],
    features: datasets.Features,
) -> ShardInfo:
    """Write samples to ``folder/name`` atomically, one row group each."""
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    strings = [n for n in SCALAR_FIELDS if features[n].dtype == "string"]
    floats = [
        name + ".list.element" * len(features[name].shape)
        for name in ARRAY_FIELDS
        if features[name].dtype == "float32"
    ]
    digests = {}
    with atomic_path(path) as temporary:
        writer = pq.ParquetWriter(
            temporary,
            features.arrow_schema,
            compression="zstd",
            use_dictionary=strings,
            use_byte_stream_split=floats,
            write_statistics=list(SCALAR_FIELDS),
        )
        with writer:
            for sample in samples:
                writer.write_table(sample_table(sample, features), row_group_size=1)
                digests[sample["id"]] = sample_digest(stored(sample, features))
            writer.add_key_value_metadata({SAMPLES_KEY: json.dumps(digests)})
    return read_shard_info(folder, name, split)


def read_shard_info(folder: str | os.PathLike, name: str, split: str) -> ShardInfo:
    """Describe a shard on disk (its samples' digests come from its footer)."""
    path = Path(folder) / name
    digests = json.loads(pq.read_metadata(path).metadata[SAMPLES_KEY])
    ids = list(digests)
    return ShardInfo(
        name, split, sha256_file(path), path.stat().st_size, len(ids), ids[0], ids[-1], digests
    )


def read_ids(path: str | os.PathLike) -> list[str]:
    """The sample ids stored in a shard (reads only that column)."""
    return pq.read_table(path, columns=["id"]).column("id").to_pylist()
