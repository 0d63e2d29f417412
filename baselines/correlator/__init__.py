"""A COSI-Corr-style frequency-domain sliding-window correlator (the classical baseline).

:mod:`config` holds its settings (:class:`~config.CorrelatorConfig`);
:func:`phase_correlation.window_shifts` measures the shift of batches of window pairs;
:func:`correlate.correlate` maps the displacement densely over an image pair in two stages;
:mod:`predict` makes it a benchmark method.
"""
