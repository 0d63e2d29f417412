"""The content hash of a dataset: what its samples hold, not how the files store them.

The hash covers every decoded sample (each array's dtype, shape and bytes, and every other
field's value) in id order. It does not depend on the shard layout, row-group size, compression,
or the pyarrow and ``datasets`` versions that wrote or read the files; the manifest keeps each
shard's SHA-256 beside it for ``verify``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

import numpy as np

from quakebench.contract import ARRAY_FIELDS, INTEGER_FIELDS, STRING_FIELDS


def canonical(name: str, value):
    """A field as stored: arrays keep their dtype, lists are float64, scalars by the contract."""
    if name in ARRAY_FIELDS:
        return np.ascontiguousarray(value)
    if name in ("rupture", "geotransform"):  # stored as float64 lists
        return np.ascontiguousarray(value, dtype=np.float64)
    if name in STRING_FIELDS:
        return str(value)
    return int(value) if name in INTEGER_FIELDS else float(value)


def _add_field(digest, name: str, value) -> None:
    """Feed one field as stored to ``digest``: arrays as dtype, shape and bytes, else JSON."""
    value = canonical(name, value)
    if isinstance(value, np.ndarray):
        digest.update(f"{value.dtype.str}{value.shape}".encode())
        digest.update(value.data)  # C-contiguous: the bytes of tobytes(), not copied
    else:
        digest.update(json.dumps(value).encode())


def field_digest(name: str, value) -> str:
    """Hex SHA-256 of one field as stored."""
    digest = hashlib.sha256()
    _add_field(digest, name, value)
    return digest.hexdigest()


def sample_digest(sample: dict) -> str:
    """Hex SHA-256 of one sample: its fields in name order, arrays as dtype, shape and bytes.

    A rendered sample and the same sample decoded from its shard give the same digest.
    """
    digest = hashlib.sha256()
    for name in sorted(sample):
        digest.update(name.encode() + b"\0")
        _add_field(digest, name, sample[name])
        digest.update(b"\0")
    return digest.hexdigest()


def combine(digests: dict[str, str]) -> str:
    """The dataset's content hash from ``{id: sample digest}``: SHA-256 over them in id order."""
    whole = hashlib.sha256()
    for sample_id in sorted(digests):
        whole.update(f"{sample_id} {digests[sample_id]}\n".encode())
    return whole.hexdigest()


def content_hash(samples: Iterable[dict]) -> str:
    """The content hash of decoded samples (memory: one sample and the digests)."""
    return combine({str(sample["id"]): sample_digest(sample) for sample in samples})
