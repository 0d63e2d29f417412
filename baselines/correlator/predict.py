"""The correlator as a benchmark method: a predictor for ``write_predictions``."""

from __future__ import annotations

import numpy as np

from baselines.correlator.config import CorrelatorConfig
from baselines.imagery.correlate import correlate
from quakebench.errors import QuakebenchError
from quakebench.predictions import Predictor


def correlator_predictor(config: CorrelatorConfig | None = None) -> Predictor:
    """Dense displacement of a sample's pair by the correlator.

    Raises
    ------
    QuakebenchError
        If ``config.step`` is not 1 (predictions must cover every pixel).
    """
    config = config or CorrelatorConfig()
    if config.step != 1:
        raise QuakebenchError(
            f"step: predictions need a value at every pixel, so 1, not {config.step}"
        )

    def predict(sample: dict) -> np.ndarray:
        displacement, _ = correlate(sample["pre"], sample["post"], config)
        return displacement

    return predict
