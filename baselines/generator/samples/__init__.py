"""Benchmark samples: a simulated field warped onto a real scene crop.

:mod:`patches` cuts and orients square crops of a scene, :mod:`sample` makes one sample (the
crop, its earthquake and the warped second image) as a pure function of its address, and
:mod:`source` hands a build its places, scenes and samples.
"""
