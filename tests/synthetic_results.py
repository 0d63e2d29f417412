"""Results files scored on synthetic samples, so the leaderboard's tests need no build.

Samples are small tiles cut by a vertical rupture with a step in the north component; the
results come from the real scorer (:func:`quakebench.evaluate.score`) and carry the same header
as ``quakebench evaluate`` writes.
"""

from __future__ import annotations

import numpy as np

from quakebench.contract import sample_id
from quakebench.evaluate import score
from quakebench.presets import PRESETS
from quakebench.results import SCHEMA_VERSION

SIZE_PX = 24
UNOFFICIAL_HASH = "0123456789abcdef" * 4


def synthetic_samples(num_samples: int = 40, seed: int = 0, split: str = "test") -> list[dict]:
    """Samples of varying difficulty: each has its own displacement amplitude."""
    rng = np.random.default_rng(seed)
    half = SIZE_PX // 2
    samples = []
    for index in range(num_samples):
        displacement = np.zeros((2, SIZE_PX, SIZE_PX), np.float32)
        step = rng.uniform(0.05, 1.0)
        displacement[1, :, :half], displacement[1, :, half:] = step, -step
        displacement[0] = rng.normal(0, 0.05)
        samples.append(
            {
                "id": sample_id("prewarped", index, split),
                "displacement": displacement,
                "valid": np.ones((SIZE_PX, SIZE_PX), np.uint8),
                "rupture": np.array([[half - 0.5, 0.0], [half - 0.5, SIZE_PX - 1.0]]),
                "magnitude": 6.0 + step,
                "fault_zone_width_m": 0.0,
                "pixel_size_m": 15.0,
            }
        )
    return samples


def noisy(samples: list[dict], scale: float, seed: int) -> dict[str, np.ndarray]:
    """Predictions off the truth by noise whose size follows each sample's amplitude."""
    rng = np.random.default_rng(seed)
    predictions = {}
    for sample in samples:
        amplitude = abs(float(sample["displacement"][1, 0, 0]))
        error = rng.normal(0, scale * amplitude, sample["displacement"].shape)
        predictions[sample["id"]] = sample["displacement"] + error.astype(np.float32)
    return predictions


def synthetic_results(
    method: str,
    samples: list[dict],
    predictions: dict[str, np.ndarray],
    official: bool = True,
    **header,
) -> dict:
    """A results file (schema v4) of ``predictions`` on ``samples``, labelled as scored on the
    official ``mini`` split of their ids, or (``official=False``) on another build."""
    scored = score(predictions, samples)
    split = samples[0]["id"].split("-")[1]
    mini = PRESETS["mini"]
    pinned = mini.split_sha256["prewarped"][split]
    return {
        "schema_version": SCHEMA_VERSION,
        "method": method,
        "method_version": "1.0",
        "dataset": {
            "name": "prewarped",
            "preset": "mini" if official else None,
            "generator": "quakebench-generator 0.7.0",
            "seed": 2026,
            "size": 256,
            "num_samples": 200,
            "num_test_samples": 100,
            "content_sha256": mini.content_sha256["prewarped"] if official else UNOFFICIAL_HASH,
            "split_sha256": pinned if official else UNOFFICIAL_HASH,
            "official_split_sha256": pinned if official else None,
            "revision": "official" if official else None,
        },
        "split": split,
        **scored,
        "runtime_s_per_sample": None,
        "hardware": None,
        "evaluated_with": "quakebench test",
        "evaluation_machine": "test",
        "date": "2026-11-24",
        **header,
    }
