"""A COSI-Corr-style frequency-domain sliding-window correlator (the classical baseline).

:func:`phase_correlation.window_shifts` measures the shift of batches of window pairs;
:func:`correlate.correlate` maps the displacement densely over an image pair in two stages.
"""

from baselines.correlator.correlate import CorrelatorConfig, correlate

__all__ = ["CorrelatorConfig", "correlate"]
