"""A COSI-Corr-style frequency-domain sliding-window correlator (the classical baseline).

:mod:`config` holds its defaults (:class:`~config.CorrelatorConfig`); the engine is shared
imagery (:mod:`baselines.imagery.correlate`, :mod:`baselines.imagery.phase_correlation`);
:mod:`predict` makes it a benchmark method, :mod:`geotiff` reads and writes its files and
:mod:`step_response` measures its response to a step.
"""
