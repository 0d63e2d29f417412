"""A COSI-Corr-style frequency-domain sliding-window correlator (the classical baseline).

:mod:`config` holds its defaults (:class:`~config.CorrelatorConfig`); the engine is shared
imagery (:mod:`baselines.imagery.correlate`, :mod:`baselines.imagery.phase_correlation`,
:mod:`baselines.imagery.sliding_transform`);
:mod:`predict` makes it a benchmark method and :mod:`geotiff` reads and writes its files (its
response to a step is measured in ``tests/protocols/step_response.py``).
"""
