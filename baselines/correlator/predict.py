"""The correlator as a benchmark baseline: a predictions file for a dataset split."""

from __future__ import annotations

import os
import time

from tqdm.auto import tqdm

from baselines.correlator.correlate import CorrelatorConfig, correlate
from quakebench.data.reader import iter_samples, stream_split
from quakebench.predictions import PredictionWriter


def predict_split(
    dataset: str,
    split: str,
    output: str | os.PathLike,
    config: CorrelatorConfig | None = None,
    progress: bool = True,
) -> tuple[int, float]:
    """Correlate every sample of a split; returns the number of samples and seconds per sample.

    Raises
    ------
    ValueError
        If ``config.step`` is not 1 (predictions must cover every pixel).
    """
    config = config or CorrelatorConfig()
    if config.step != 1:
        raise ValueError(
            f"predictions need a value at every pixel: step must be 1, not {config.step}"
        )
    count, seconds = 0, 0.0
    with PredictionWriter(output) as writer:
        for sample in tqdm(iter_samples(stream_split(dataset, split)), disable=not progress):
            start = time.perf_counter()
            displacement, _ = correlate(sample["pre"], sample["post"], config)
            seconds += time.perf_counter() - start
            writer.write(sample["id"], displacement)
            count += 1
    return count, seconds / max(count, 1)
