"""Reading a quakebench dataset back with ``datasets``, with the contract's dtypes restored.

``datasets`` hands integer arrays back widened to int64 (and lists as Python lists);
:func:`restore_dtypes` gives every field its stored dtype again. A dataset is named either by a
local folder (a build) or by its Hub name (``prewarped``, ``postwarped`` or ``owner/name``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import datasets
import numpy as np

from baselines.generator.sample import DATASETS
from quakebench.data.schema import ARRAY_FIELDS
from quakebench.errors import QuakebenchError

HUB_NAMESPACE = "quakebench"


def dataset_path(name: str | os.PathLike) -> str:
    """A local dataset folder as is; ``prewarped``/``postwarped`` as their Hub repositories."""
    if Path(name).is_dir():
        return str(name)
    if str(name) in DATASETS:
        return f"{HUB_NAMESPACE}/{name}"
    if "/" in str(name) and not Path(name).exists():
        return str(name)
    raise QuakebenchError(
        f"{name}: not a dataset folder, nor one of {', '.join(DATASETS)}, nor a Hub name owner/name"
    )


def load_split(
    name: str | os.PathLike, split: str, revision: str | None = None
) -> datasets.Dataset:
    """One split of a dataset (memory-mapped Arrow), formatted as NumPy arrays."""
    try:
        dataset = datasets.load_dataset(dataset_path(name), split=split, revision=revision)
    except (ValueError, FileNotFoundError) as error:
        raise QuakebenchError(f"{name}: cannot load split {split!r} ({error})") from None
    return dataset.with_format("numpy")


def restore_dtypes(example: dict, features: datasets.Features) -> dict:
    """A sample with the stored dtypes: uint16/float32 images, float32 displacement, uint8 mask."""
    out = dict(example)
    for name in ARRAY_FIELDS:
        out[name] = np.asarray(example[name], dtype=features[name].dtype)
    out["rupture"] = np.asarray(example["rupture"], dtype=np.float64).reshape(-1, 2)
    out["geotransform"] = tuple(float(v) for v in example["geotransform"])
    return out


def iter_samples(dataset: datasets.Dataset) -> Iterator[dict]:
    """Samples one at a time with their dtypes restored (memory stays bounded)."""
    for example in dataset:
        yield restore_dtypes(example, dataset.features)
