"""Dense Lucas-Kanade refinement of a displacement field, at the scale of a few pixels.

The correlator reads a 32 px window, so next to a rupture it blends both sides. Once ``post``
is warped back by a field ``u``, what is left is small: to first order the residual image is
``r = post(q + u) - pre(q) = -grad(pre) . du`` (rows, columns), with ``du`` what ``u`` misses.
Lucas and Kanade (1981) solve that for ``du`` by least squares over a window; here the window
is a Gaussian of ``sigma_px``: at 1 px, a pixel two pixels from the trace is read mostly from
its own side; wider windows are quieter in weak texture. Each iteration warps ``post`` again
by the updated field.

The warp is the generator's quintic B-spline (SciPy's ``map_coordinates``): at the hundredths
of a pixel this benchmark measures, bilinear or Keys-cubic interpolation errs by as much as the
displacement on 15 m Landsat texture, which has much of its energy near the Nyquist frequency.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

from baselines.imagery.warp import SPLINE_ORDER

ITERATIONS = 2
"""Warp-and-solve iterations."""

DETERMINANT_FLOOR = 1e-12
"""Keeps a flat window's solve finite (normalised intensity squared per pixel, squared); weak
texture is not damped here: the texture is returned for the caller to weigh."""


def warp_back(image: np.ndarray, field: np.ndarray) -> np.ndarray:
    """``image(q + u(q))`` of an image ``[H, W]`` by a field ``[2, H, W]`` (east = +col,
    north = -row): the second date moved back onto the first (quintic B-spline, edges
    mirrored)."""
    rows, cols = np.indices(image.shape, dtype=np.float64)
    coordinates = [rows - field[1], cols + field[0]]
    return ndi.map_coordinates(
        image.astype(np.float64), coordinates, order=SPLINE_ORDER, mode="mirror"
    )


def spline_gradient(image: np.ndarray, step_px: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """``(d/drow, d/dcol)`` of the image's quintic B-spline at the pixel centres.

    The derivative of the very interpolant the warp uses: central differences read the
    near-Nyquist texture of 15 m pixels up to a third low, and the solve then overshoots.
    """
    rows, cols = np.indices(image.shape, dtype=np.float64)
    values = [
        ndi.map_coordinates(image, coordinates, order=SPLINE_ORDER, mode="mirror")
        for coordinates in (
            [rows + step_px, cols],
            [rows - step_px, cols],
            [rows, cols + step_px],
            [rows, cols - step_px],
        )
    ]
    return (values[0] - values[1]) / (2 * step_px), (values[2] - values[3]) / (2 * step_px)


def lucas_kanade(
    pre: np.ndarray,
    post: np.ndarray,
    field: np.ndarray,
    sigma_px: float,
    iterations: int = ITERATIONS,
) -> tuple[np.ndarray, np.ndarray]:
    """Refine ``field`` ``[2, H, W]`` (east, north; pixels) of images ``[H, W]``.

    Returns the refined field (float32) and each window's texture ``[H, W]``: the smaller
    eigenvalue of its structure tensor (intensity squared per pixel squared). Where it is
    small the solve divides by little, and the refinement is noise.
    """
    pre = pre.astype(np.float64)
    d_row, d_col = spline_gradient(pre)
    s_rr = ndi.gaussian_filter(d_row * d_row, sigma_px)
    s_cc = ndi.gaussian_filter(d_col * d_col, sigma_px)
    s_rc = ndi.gaussian_filter(d_row * d_col, sigma_px)
    determinant = s_rr * s_cc - s_rc**2 + DETERMINANT_FLOOR
    refined = field.astype(np.float64)  # a copy
    for _ in range(iterations):
        residual = warp_back(post, refined) - pre
        b_row = ndi.gaussian_filter(d_row * residual, sigma_px)
        b_col = ndi.gaussian_filter(d_col * residual, sigma_px)
        # residual = -(d_row du_row + d_col du_col); east = +col, north = -row
        refined[0] -= (s_rr * b_col - s_rc * b_row) / determinant
        refined[1] += (s_cc * b_row - s_rc * b_col) / determinant
    texture = (s_rr + s_cc) / 2 - np.sqrt(((s_rr - s_cc) / 2) ** 2 + s_rc**2)
    return refined.astype(np.float32), texture.astype(np.float32)
