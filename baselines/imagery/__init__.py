"""Imagery that the generator and the correlator both use, so that neither imports the other.

:mod:`scenes` reads scenes (with :mod:`mtl`) and checks their grids; :mod:`warp` resamples an
image by a displacement field with quintic B-splines; :mod:`phase_correlation` measures the
shifts of window pairs and :mod:`correlate` maps a pair densely, with the settings of
:mod:`settings` that each caller states.
"""
