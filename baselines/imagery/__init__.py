"""Real satellite imagery: scenes, their search and fetch, warping and phase correlation.

The generator and the correlator both use it, so that neither imports the other.
:mod:`scenes` reads scenes (with :mod:`mtl`) and checks their grids; :mod:`search` finds
two-date Landsat-8 pairs on a STAC API and :mod:`fetch` reads their windows (both set up by
:mod:`stac_config`); :mod:`validity` masks where a real pair's ground changed between dates;
:mod:`warp` resamples an image by a displacement field with quintic B-splines;
:mod:`phase_correlation` measures the shifts of window pairs and :mod:`correlate` maps a pair
densely, with the settings of :mod:`settings` that each caller states.
"""
