"""Dense displacement of an image pair by sliding-window phase correlation, in two stages.

1. **Coarse**: on a grid spaced ``coarse_step`` pixels, windows of ``coarse_window`` pixels give
   the integer shift at the peak of their phase-correlation surface.
2. **Fine**: at every ``step``-th pixel, a window of ``window`` pixels of the first image and one
   of the second image moved by the nearest coarse integer shift give the sub-pixel remainder
   by the robust phase-plane fit (:mod:`phase_correlation`).

Windows are processed in chunks of rows, so memory stays bounded for any image size. The
estimate at pixel ``(r, c)`` comes from the window of rows ``r - W/2 .. r + W/2 - 1`` (columns
likewise); images are padded by reflection at their borders, where the SNR is lower.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from tqdm.auto import tqdm

from baselines.imagery.phase_correlation import (
    FrequencyMask,
    cross_power,
    fit_phase_plane,
    integer_shifts,
    masked_phase,
    masked_phase_torch,
    raised_cosine_taper,
)
from baselines.imagery.settings import CorrelationSettings

CHUNK_WINDOWS = 16384
"""Windows per batch (about 64 MB per image at 32 x 32, float32)."""


def _windows(image: np.ndarray, size: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Windows ``[B, size, size]`` whose top-left corners are ``(rows, cols)`` of ``image``."""
    return sliding_window_view(image, (size, size))[rows, cols]


def _coarse_shifts(pre: np.ndarray, post: np.ndarray, config: CorrelationSettings, pad: int):
    """Integer ``(row, col)`` shifts on the coarse grid, and the grid's pixel positions."""
    height, width = pre.shape[0] - 2 * pad, pre.shape[1] - 2 * pad
    grid_rows = np.arange(0, height + config.coarse_step, config.coarse_step).clip(max=height - 1)
    grid_cols = np.arange(0, width + config.coarse_step, config.coarse_step).clip(max=width - 1)
    rows, cols = (g.ravel() for g in np.meshgrid(grid_rows, grid_cols, indexing="ij"))
    taper = raised_cosine_taper(config.coarse_window, config.taper_beta)
    corner_r = rows + pad - config.coarse_window // 2
    corner_c = cols + pad - config.coarse_window // 2
    shifts = np.empty((rows.size, 2), dtype=np.int64)
    for start in range(0, rows.size, CHUNK_WINDOWS // 4):
        part = slice(start, start + CHUNK_WINDOWS // 4)
        q = cross_power(
            _windows(pre, config.coarse_window, corner_r[part], corner_c[part]),
            _windows(post, config.coarse_window, corner_r[part], corner_c[part]),
            taper,
        )
        shifts[part] = integer_shifts(q, config.coarse_window)
    return shifts.reshape(len(grid_rows), len(grid_cols), 2), grid_rows, grid_cols


def correlate(
    pre: np.ndarray,
    post: np.ndarray,
    config: CorrelationSettings,
    progress: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Displacement of ``post`` relative to ``pre``, and the SNR, on the output grid.

    Parameters
    ----------
    pre, post : numpy.ndarray
        ``[H, W]`` images of the same grid.
    config : CorrelationSettings
        The caller's settings (the baseline's defaults are ``CorrelatorConfig()``).
    progress : bool
        Show a progress bar over the chunks.

    Returns
    -------
    displacement : numpy.ndarray
        ``float32 [2, H', W']`` (east, north) in pixels, with ``post(q) = pre(q - u(q))``
        (the data contract); ``H' = ceil(H / step)``, pixel ``(i, j)`` of the output is pixel
        ``(i step, j step)`` of the images.
    snr : numpy.ndarray
        ``float32 [H', W']`` in [0, 1].
    """
    if pre.shape != post.shape or pre.ndim != 2:
        raise ValueError(f"images must be 2-D and of one shape, got {pre.shape} and {post.shape}")
    height, width = pre.shape
    # Padding: the largest window, plus the largest integer shift the coarse stage may find.
    pad = config.coarse_window // 2 + config.coarse_window // 2 + 1
    pre_padded = np.pad(np.asarray(pre, np.float32), pad, mode="reflect")
    post_padded = np.pad(np.asarray(post, np.float32), pad, mode="reflect")

    coarse, grid_rows, grid_cols = _coarse_shifts(pre_padded, post_padded, config, pad)
    out_rows = np.arange(0, height, config.step)
    out_cols = np.arange(0, width, config.step)
    rows, cols = (g.ravel() for g in np.meshgrid(out_rows, out_cols, indexing="ij"))
    nearest_r = np.abs(rows[:, None] - grid_rows[None, :]).argmin(axis=1)
    nearest_c = np.abs(cols[:, None] - grid_cols[None, :]).argmin(axis=1)
    integer = np.clip(
        coarse[nearest_r, nearest_c], -(config.coarse_window // 2), config.coarse_window // 2
    )

    taper = raised_cosine_taper(config.window, config.taper_beta)
    mask = FrequencyMask.make(config.window, config.max_frequency)
    shift = np.empty((rows.size, 2), dtype=np.float32)
    snr = np.empty(rows.size, dtype=np.float32)
    corner_r = rows + pad - config.window // 2
    corner_c = cols + pad - config.window // 2
    chunks = range(0, rows.size, CHUNK_WINDOWS)
    for start in tqdm(chunks, disable=not progress, unit="chunk", desc="correlating"):
        part = slice(start, start + CHUNK_WINDOWS)
        windows = (
            _windows(pre_padded, config.window, corner_r[part], corner_c[part]),
            _windows(
                post_padded,
                config.window,
                corner_r[part] + integer[part, 0],
                corner_c[part] + integer[part, 1],
            ),
        )
        if config.device is None:
            phase = masked_phase(*windows, taper, mask)
        else:
            phase = masked_phase_torch(*windows, taper, mask, config.device)
        fine, part_snr = fit_phase_plane(phase, mask, config.iterations)
        if config.device is not None:
            fine, part_snr = fine.cpu().numpy(), part_snr.cpu().numpy()
        shift[part] = fine + integer[part]
        snr[part] = part_snr

    shape = (len(out_rows), len(out_cols))
    # A shift (row, col) of post against pre is u = (east, north) = (col, -row).
    displacement = np.stack([shift[:, 1].reshape(shape), -shift[:, 0].reshape(shape)])
    return displacement.astype(np.float32), snr.reshape(shape)
