"""Reference predictions that bracket every method: zero displacement, and the truth itself.

The truth scores exactly 0 on every metric; zero displacement scores the mean absolute
displacement, the number any method must beat. Each is a predictor for
:func:`quakebench.predictions.write_predictions`.
"""

from __future__ import annotations

import numpy as np


def zero(sample: dict) -> np.ndarray:
    """No displacement at all."""
    return np.zeros_like(sample["displacement"])


def truth(sample: dict) -> np.ndarray:
    """The ground truth itself."""
    return sample["displacement"]


REFERENCES = {"zero": zero, "truth": truth}
