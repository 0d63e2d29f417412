"""The generator: synthetic earthquakes on the pixel grid, and the benchmark samples made of them.

:mod:`~baselines.generator.earthquake` draws an earthquake and computes its surface
displacement in an elastic half-space; :mod:`~baselines.generator.samples` warps a real scene
crop by that field to make one benchmark sample. Real scenes themselves (search, fetch,
validity) belong to :mod:`baselines.imagery`; the training stream to :mod:`baselines.stream`.
"""
