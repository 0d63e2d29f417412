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


def sample_digest(sample: dict) -> bytes:
    """SHA-256 of one decoded sample: its fields in name order, arrays as dtype, shape, bytes."""
    digest = hashlib.sha256()
    for name in sorted(sample):
        value = sample[name]
        digest.update(name.encode() + b"\0")
        if isinstance(value, np.ndarray | list | tuple):
            array = np.ascontiguousarray(value)
            digest.update(f"{array.dtype.str}{array.shape}".encode())
            digest.update(array.tobytes())
        else:
            value = value.item() if isinstance(value, np.generic) else value
            digest.update(json.dumps(value).encode())
        digest.update(b"\0")
    return digest.digest()


def content_hash(samples: Iterable[dict]) -> str:
    """Hex SHA-256 over the samples' digests in id order (memory: one sample and the digests)."""
    digests = {str(sample["id"]): sample_digest(sample) for sample in samples}
    whole = hashlib.sha256()
    for sample_id in sorted(digests):
        whole.update(sample_id.encode() + b"\0" + digests[sample_id])
    return whole.hexdigest()
