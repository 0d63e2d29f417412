"""Reading a quakebench dataset back with ``datasets``, exactly as stored.

Splits are read in ``datasets``' Arrow format and :func:`decode` turns each one-row table into
the sample with its stored dtypes: ``datasets``' NumPy format would widen the integer arrays to
int64 and narrow the float64 rupture trace to float32, so a digest of what it returns is not a
digest of what is stored. A dataset is named either by a local folder (a build) or by its Hub
name (``prewarped``, ``postwarped`` or ``owner/name``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from quakebench.contract import ARRAY_FIELDS, DATASETS, HUB_NAMESPACE
from quakebench.errors import QuakebenchError

if TYPE_CHECKING:  # imported where a split is loaded: a local folder is read without it
    import datasets

Layout = Mapping[str, tuple[tuple[int, ...], str]]
"""``{field: (shape, dtype)}`` of the array fields of a split."""

HUB_NAME = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")
"""A Hub repository id, ``owner/name`` (a path with more parts is a local folder)."""


def dataset_path(name: str | os.PathLike) -> str:
    """A local dataset folder as is; ``prewarped``/``postwarped`` as their Hub repositories."""
    if Path(name).is_dir():
        return str(name)
    if str(name) in DATASETS:
        return f"{HUB_NAMESPACE}/{name}"
    if HUB_NAME.fullmatch(str(name)) and not Path(name).exists():
        return str(name)
    raise QuakebenchError(
        f"{name}: not a dataset folder, nor one of {', '.join(DATASETS)}, nor a Hub name owner/name"
    )


def load_split(
    name: str | os.PathLike,
    split: str,
    revision: str | None = None,
    streaming: bool = False,
    config: str | None = None,
    **kwargs,
) -> datasets.Dataset | datasets.IterableDataset:
    """One split of a dataset, in Arrow format (rows as one-row tables, see :func:`decode`).

    Parameters
    ----------
    name : str or path-like
        A dataset folder or a Hub name (see :func:`dataset_path`).
    split : str
    revision : str, optional
        Hub revision (branch, tag or commit).
    streaming : bool
        Read the Parquet shards row group by row group instead of converting them to a
        memory-mapped Arrow cache first (whose conversion holds many samples in memory).
    config : str, optional
        The Hub config (a preset: ``mini``, ``full``); default: the repository's default.
    **kwargs
        Passed to ``datasets.load_dataset`` (e.g. ``columns`` and ``features``).
    """
    import datasets

    try:
        dataset = datasets.load_dataset(
            dataset_path(name),
            config,
            split=split,
            revision=revision,
            streaming=streaming,
            **kwargs,
        )
    except (ValueError, FileNotFoundError) as error:
        raise QuakebenchError(f"{name}: cannot load split {split!r} ({error})") from None
    return dataset.with_format("arrow")


def stream_split(
    name: str | os.PathLike, split: str, revision: str | None = None, config: str | None = None
) -> datasets.IterableDataset:
    """A split read shard by shard, row group by row group: memory holds one sample.

    Arrow's pre-buffering is turned off: it would keep every row group read from a shard (up
    to 1 GB) until the shard is done.
    """
    import pyarrow.dataset

    options = pyarrow.dataset.ParquetFragmentScanOptions(pre_buffer=False)
    return load_split(
        name, split, revision, streaming=True, config=config, fragment_scan_options=options
    )


def split_ids(
    name: str | os.PathLike, split: str, revision: str | None = None, config: str | None = None
) -> list[str]:
    """The sample ids of a split, reading the ``id`` column alone (of a local folder's shards
    with pyarrow, in :func:`read_samples`' order; of a Hub dataset with ``datasets``)."""
    path = dataset_path(name)
    if Path(path).is_dir():
        return [
            sample_id
            for shard in local_shards(path, split)
            for sample_id in pq.read_table(shard, columns=["id"]).column("id").to_pylist()
        ]
    import datasets

    only_ids = datasets.Features({"id": datasets.Value("string")})
    ids = load_split(
        name, split, revision, streaming=True, config=config, columns=["id"], features=only_ids
    )
    return [row.column("id")[0].as_py() for row in ids]


def _values(column: pa.ChunkedArray, name: str) -> np.ndarray:
    """The leaf values of a one-row column of (nested) lists, in their stored type.

    They are a view of Arrow's memory, not a copy; a value missing in an array or a trace is
    an error naming the field.
    """
    array = column.combine_chunks()
    if isinstance(array, pa.ExtensionArray):
        array = array.storage
    while pa.types.is_list(array.type) or pa.types.is_fixed_size_list(array.type):
        array = array.flatten()  # honours the row's offset into a larger batch
    if array.null_count:
        raise QuakebenchError(f"{name}: {array.null_count} missing values")
    return array.to_numpy(zero_copy_only=True)


def features_layout(features: datasets.Features) -> Layout:
    """The array fields' shapes and dtypes from ``datasets``' features."""
    return {
        name: (tuple(features[name].shape), features[name].dtype)
        for name in ARRAY_FIELDS
        if name in features
    }


def shard_layout(schema: pa.Schema, shard: str | os.PathLike) -> Layout:
    """The array fields' shapes and dtypes from a shard's schema, without ``datasets``.

    ``datasets`` writes its features, as their dict form, into the Parquet schema's
    ``huggingface`` metadata (what ``Features.from_arrow_schema`` reads back); the layout is
    read from there.
    """
    try:
        features = json.loads(schema.metadata[b"huggingface"])["info"]["features"]
        return {
            name: (tuple(features[name]["shape"]), features[name]["dtype"])
            for name in ARRAY_FIELDS
            if name in features
        }
    except (TypeError, KeyError, ValueError):
        raise QuakebenchError(
            f"{shard}: no datasets features (shape, dtype) in its schema's metadata"
        ) from None


def decode(row: pa.Table, layout: Layout) -> dict:
    """A one-row Arrow table as the sample it stores: arrays in their stored dtype and shape
    (``layout``), the rupture ``float64 [K, 2]``, the geotransform a tuple, scalars as Python
    values."""
    sample = {}
    for name in row.column_names:
        column = row.column(name)
        if name in ARRAY_FIELDS:
            shape, dtype = layout[name]
            sample[name] = _values(column, name).astype(dtype, copy=False).reshape(shape)
        elif name == "rupture":
            sample[name] = _values(column, name).astype(np.float64, copy=False).reshape(-1, 2)
        elif name == "geotransform":
            sample[name] = tuple(float(v) for v in _values(column, name))
        else:
            sample[name] = column[0].as_py()
    return sample


def iter_samples(dataset: datasets.Dataset | datasets.IterableDataset) -> Iterator[dict]:
    """Samples of a loaded split one at a time, decoded as stored (see :func:`decode`).

    A streamed split yields row group by row group (one sample each). Rows of a memory-mapped
    split are fetched one by one, so memory holds a single sample.
    """
    import datasets

    dataset = dataset.with_format("arrow")
    layout = features_layout(dataset.features)
    if isinstance(dataset, datasets.IterableDataset):
        for row in dataset:
            yield decode(row, layout)
        return
    for index in range(len(dataset)):
        yield decode(dataset[index], layout)


def local_shards(folder: str | os.PathLike, split: str) -> list[Path]:
    """A local dataset folder's shards of ``split``, in the order they are read; raises naming
    the folder."""
    shards = sorted((Path(folder) / "data").glob(f"{split}-*.parquet"))
    if not shards:
        raise QuakebenchError(f"{folder}: no {split} shards in its data folder")
    return shards


def read_shard(shard: str | os.PathLike) -> Iterator[dict]:
    """One shard's samples one at a time, decoded as stored.

    Read with pyarrow's ``ParquetFile.read_row_group``, one row group (one sample in a build)
    at a time and one array at a time, without ``datasets``.
    """
    parquet = pq.ParquetFile(shard, pre_buffer=False)
    layout = shard_layout(parquet.schema_arrow, shard)
    names = parquet.schema_arrow.names
    # The arrays are decoded one at a time: Arrow's buffers for decoding nested lists
    # (levels, offsets) then hold one array's worth, not four.
    parts = [[n for n in names if n not in ARRAY_FIELDS]]
    parts += [[n] for n in ARRAY_FIELDS if n in names]
    for group in range(parquet.num_row_groups):
        pieces = [parquet.read_row_group(group, part, use_threads=False) for part in parts]
        for row in range(pieces[0].num_rows):
            fields = {}
            for piece in pieces:
                fields |= decode(piece.slice(row, 1), layout)
            yield {name: fields[name] for name in names}
        del pieces  # before the next group is read


def read_samples(
    name: str | os.PathLike, split: str, revision: str | None = None, config: str | None = None
) -> Iterator[dict]:
    """A split's samples one at a time, decoded as stored: what the commands read.

    A local folder is read shard by shard (:func:`read_shard`), without ``datasets``. A Hub
    dataset is streamed through ``datasets`` (:func:`stream_split`).
    Reading can stop early: a ``datasets`` stream abandoned mid-shard leaves an Arrow scan
    open that hangs or aborts the interpreter at exit (apache/arrow#45214; ``datasets``
    applies its workaround for pyarrow <= 24 only), which reading row groups does not.
    """
    path = dataset_path(name)
    if not Path(path).is_dir():
        yield from iter_samples(stream_split(path, split, revision, config))
        return
    for shard in local_shards(path, split):
        yield from read_shard(shard)
