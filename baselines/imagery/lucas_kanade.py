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

from collections.abc import Sequence

import numpy as np
from scipy import ndimage as ndi

from baselines.imagery.warp import SPLINE_ORDER

ITERATIONS = 2
"""Warp-and-solve iterations."""

DETERMINANT_FLOOR = 1e-12
"""Keeps a flat window's solve finite (normalised intensity squared per pixel, squared); weak
texture is not damped here: the texture is returned for the caller to weigh."""


def spline_coefficients(image: np.ndarray) -> np.ndarray:
    """The quintic B-spline coefficients of an image (edges mirrored), computed once for every
    warp and derivative of it."""
    return ndi.spline_filter(image.astype(np.float64), order=SPLINE_ORDER, mode="mirror")


def sample(coefficients: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The spline of :func:`spline_coefficients` at fractional ``(rows, cols)``."""
    return ndi.map_coordinates(
        coefficients, [rows, cols], order=SPLINE_ORDER, mode="mirror", prefilter=False
    )


def warp_back(coefficients: np.ndarray, field: np.ndarray) -> np.ndarray:
    """``image(q + u(q))`` of an image, given by its :func:`spline_coefficients`, by a field
    ``[2, H, W]`` (east = +col, north = -row): the second date moved back onto the first."""
    rows, cols = np.indices(coefficients.shape, dtype=np.float64)
    return sample(coefficients, rows - field[1], cols + field[0])


def spline_gradient(
    coefficients: np.ndarray, step_px: float = 0.01
) -> tuple[np.ndarray, np.ndarray]:
    """``(d/drow, d/dcol)`` of an image's quintic B-spline at the pixel centres.

    The derivative of the very interpolant the warp uses: central differences read the
    near-Nyquist texture of 15 m pixels up to a third low, and the solve then overshoots.
    """
    rows, cols = np.indices(coefficients.shape, dtype=np.float64)
    d_row = sample(coefficients, rows + step_px, cols) - sample(coefficients, rows - step_px, cols)
    d_col = sample(coefficients, rows, cols + step_px) - sample(coefficients, rows, cols - step_px)
    return d_row / (2 * step_px), d_col / (2 * step_px)


def lucas_kanade(
    pre: np.ndarray,
    post: np.ndarray,
    field: np.ndarray,
    sigmas_px: Sequence[float],
    iterations: int = ITERATIONS,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Refine ``field`` ``[2, H, W]`` (east, north; pixels) of images ``[H, W]``, once for each
    Gaussian window in ``sigmas_px`` (the splines and gradient are shared).

    Returns, per window, the refined field (float32) and each window's texture ``[H, W]``: the
    smaller eigenvalue of its structure tensor (intensity squared per pixel squared). Where it
    is small the solve divides by little, and the refinement is noise.
    """
    pre = pre.astype(np.float64)
    d_row, d_col = spline_gradient(spline_coefficients(pre))
    post_coefficients = spline_coefficients(post)
    return [
        _refine(pre, post_coefficients, field, d_row, d_col, sigma_px, iterations)
        for sigma_px in sigmas_px
    ]


def _refine(
    pre: np.ndarray,
    post_coefficients: np.ndarray,
    field: np.ndarray,
    d_row: np.ndarray,
    d_col: np.ndarray,
    sigma_px: float,
    iterations: int,
) -> tuple[np.ndarray, np.ndarray]:
    """One window's solve of :func:`lucas_kanade`."""
    s_rr = ndi.gaussian_filter(d_row * d_row, sigma_px)
    s_cc = ndi.gaussian_filter(d_col * d_col, sigma_px)
    s_rc = ndi.gaussian_filter(d_row * d_col, sigma_px)
    determinant = s_rr * s_cc - s_rc**2 + DETERMINANT_FLOOR
    refined = field.astype(np.float64)  # a copy
    for _ in range(iterations):
        residual = warp_back(post_coefficients, refined) - pre
        b_row = ndi.gaussian_filter(d_row * residual, sigma_px)
        b_col = ndi.gaussian_filter(d_col * residual, sigma_px)
        # residual = -(d_row du_row + d_col du_col); east = +col, north = -row
        refined[0] -= (s_rr * b_col - s_rc * b_row) / determinant
        refined[1] += (s_cc * b_row - s_rc * b_col) / determinant
    texture = (s_rr + s_cc) / 2 - np.sqrt(((s_rr - s_cc) / 2) ** 2 + s_rc**2)
    return refined.astype(np.float32), texture.astype(np.float32)
