"""Reading a quakebench dataset back with ``datasets``, with the contract's dtypes restored.

``datasets`` hands integer arrays back widened to int64 (and lists as Python lists);
:func:`restore_dtypes` gives every field its stored dtype again. A dataset is named either by a
local folder (a build) or by its Hub name (``prewarped``, ``postwarped`` or ``owner/name``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import datasets
import numpy as np
import pyarrow.dataset

from quakebench.contract import ARRAY_FIELDS, DATASETS, HUB_NAMESPACE
from quakebench.errors import QuakebenchError

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
    """One split of a dataset, formatted as NumPy arrays.

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
    return dataset.with_format("numpy")


def stream_split(
    name: str | os.PathLike, split: str, revision: str | None = None, config: str | None = None
) -> datasets.IterableDataset:
    """A split read shard by shard, row group by row group: memory holds one sample.

    Arrow's pre-buffering is turned off: it would keep every row group read from a shard (up
    to 1 GB) until the shard is done.
    """
    options = pyarrow.dataset.ParquetFragmentScanOptions(pre_buffer=False)
    return load_split(
        name, split, revision, streaming=True, config=config, fragment_scan_options=options
    )


def split_ids(
    name: str | os.PathLike, split: str, revision: str | None = None, config: str | None = None
) -> list[str]:
    """The sample ids of a split, reading the ``id`` column alone."""
    only_ids = datasets.Features({"id": datasets.Value("string")})
    ids = load_split(
        name, split, revision, streaming=True, config=config, columns=["id"], features=only_ids
    )
    return [str(row["id"]) for row in ids]


def restore_dtypes(example: dict, features: datasets.Features) -> dict:
    """A sample with the stored dtypes: uint16/float32 images, float32 displacement, uint8 mask."""
    out = dict(example)
    for name in ARRAY_FIELDS:
        out[name] = np.asarray(example[name], dtype=features[name].dtype)
    out["rupture"] = np.asarray(example["rupture"], dtype=np.float64).reshape(-1, 2)
    out["geotransform"] = tuple(float(v) for v in example["geotransform"])
    return out


def iter_samples(dataset: datasets.Dataset | datasets.IterableDataset) -> Iterator[dict]:
    """Samples one at a time with their dtypes restored.

    A streamed split yields row group by row group (one sample each). Rows of a memory-mapped
    split are fetched one by one (``datasets``' own iterator formats ten rows at a time, 300 MB
    at 1024 x 1024), so memory holds a single sample.
    """
    if isinstance(dataset, datasets.IterableDataset):
        for example in dataset:
            yield restore_dtypes(example, dataset.features)
        return
    for index in range(len(dataset)):
        yield restore_dtypes(dataset[index], dataset.features)
