"""Warping an image by a displacement field with quintic B-spline resampling.

The rendered pair obeys ``post(q) = pre(q - u(q))`` at every pixel centre ``q``, with ``u`` in
``(col, row)`` terms ``(u_east, -u_north)`` (the data contract). The source image must extend
``margin`` pixels beyond the tile on every side, so that ``q - u(q)`` and the spline's support
stay inside it and the prefilter's boundary effects (decaying as 0.43 per pixel for the quintic
B-spline) are negligible at the tile.

References
----------
.. [1] Unser, M. (1999). Splines: a perfect fit for signal and image processing. IEEE Signal
       Processing Magazine 16(6), 22-38. https://doi.org/10.1109/79.799930
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

SPLINE_ORDER = 5


def warp(source: np.ndarray, displacement_px: np.ndarray, margin: int) -> np.ndarray:
    """Resample ``source`` at ``q - u(q)`` for the pixel centres ``q`` of the inner tile.

    Parameters
    ----------
    source : numpy.ndarray
        ``[S + 2 margin, S + 2 margin]`` image around the tile.
    displacement_px : numpy.ndarray
        ``[2, S, S]`` displacement (east, north) in pixels.
    margin : int
        Pixels of ``source`` beyond the tile on each side; must exceed the largest
        displacement plus the spline's half-support (3 px).

    Returns
    -------
    numpy.ndarray
        ``float32 [S, S]``, clipped to the range of ``source`` where the spline overshoots.

    Raises
    ------
    ValueError
        If shapes disagree or a displacement reaches beyond the margin.
    """
    size = displacement_px.shape[1]
    if source.shape != (size + 2 * margin, size + 2 * margin) or displacement_px.shape[0] != 2:
        raise ValueError(
            f"source {source.shape} does not match displacement {displacement_px.shape} "
            f"with margin {margin}"
        )
    if np.abs(displacement_px).max(initial=0.0) > margin - 3:
        raise ValueError(f"displacement exceeds the {margin} px margin less the spline support")
    source = np.asarray(source, dtype=np.float64)
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float64)
    coordinates = [
        rows + margin + displacement_px[1],  # q - u: the north component is -row
        cols + margin - displacement_px[0],
    ]
    warped = ndi.map_coordinates(source, coordinates, order=SPLINE_ORDER, mode="mirror")
    return np.clip(warped, source.min(), source.max()).astype(np.float32)
