"""Reference predictions that bracket every method: zero displacement, and the truth itself.

The truth scores exactly 0 on every metric; zero displacement scores the mean absolute
displacement, the number any method must beat.
"""

from __future__ import annotations

import os

import numpy as np
from tqdm.auto import tqdm

from quakebench.data.reader import iter_samples, stream_split
from quakebench.predictions import PredictionWriter

REFERENCES = ("zero", "truth")


def write_reference(
    kind: str, dataset: str, split: str, output: str | os.PathLike, progress: bool = True
) -> int:
    """Write the ``zero`` or ``truth`` predictions of a split; returns the number of samples."""
    if kind not in REFERENCES:
        raise ValueError(f"reference must be one of {REFERENCES}, got {kind!r}")
    count = 0
    with PredictionWriter(output) as writer:
        for sample in tqdm(iter_samples(stream_split(dataset, split)), disable=not progress):
            truth = sample["displacement"]
            writer.write(sample["id"], truth if kind == "truth" else np.zeros_like(truth))
            count += 1
    return count
