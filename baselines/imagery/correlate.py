"""Dense displacement of an image pair by sliding-window phase correlation, in two stages.

1. **Coarse**: on a grid spaced ``coarse_step`` pixels, windows of ``coarse_window`` pixels give
   the integer shift at the peak of their phase-correlation surface.
2. **Fine**: at every ``step``-th pixel, a window of ``window`` pixels of the first image and one
   of the second image moved by the nearest coarse integer shift give the sub-pixel remainder
   by the robust phase-plane fit (:mod:`phase_correlation`). The windows' spectra come from
   the sliding transform (:mod:`sliding_transform`: row transforms shared between windows) or
   from an ``rfft2`` per window (``transform="window"``).

Windows are processed in blocks or chunks, so memory stays bounded for any image size. The
estimate at pixel ``(r, c)`` comes from the window of rows ``r - W/2 .. r + W/2 - 1`` (columns
likewise); images are padded by reflection at their borders, where the SNR is lower.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from threadpoolctl import threadpool_limits
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
from baselines.imagery.sliding_transform import SlidingTransform

CHUNK_WINDOWS = 16384
"""Windows per batch of the window transform (about 64 MB per image at 32 x 32, float32)."""

BLOCK_ROWS, BLOCK_COLS = 16, 256
"""Windows per block of the sliding transform: its spectra, phases and fit stay in cache."""


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
    nearest_r = np.abs(out_rows[:, None] - grid_rows[None, :]).argmin(axis=1)
    nearest_c = np.abs(out_cols[:, None] - grid_cols[None, :]).argmin(axis=1)
    reach = config.coarse_window // 2
    integer = np.clip(coarse[nearest_r[:, None], nearest_c[None, :]], -reach, reach)
    # Window corners in the padded images: pre's at the pixel, post's moved by the integer shift.
    corner_r = out_rows + pad - config.window // 2
    corner_c = out_cols + pad - config.window // 2
    fine = _fine_sliding if config.transform == "sliding" else _fine_windows
    shift, snr = fine(pre_padded, post_padded, corner_r, corner_c, integer, config, progress)
    shift += integer

    # A shift (row, col) of post against pre is u = (east, north) = (col, -row).
    displacement = np.stack([shift[..., 1], -shift[..., 0]])
    return displacement.astype(np.float32), snr


def _fine_windows(pre, post, corner_r, corner_c, integer, config, progress):
    """Sub-pixel shifts ``[H', W', 2]`` and SNR ``[H', W']`` by the window transform: an
    ``rfft2`` per window, in chunks of ``CHUNK_WINDOWS`` (NumPy, or torch on the device)."""
    rows, cols = (g.ravel() for g in np.meshgrid(corner_r, corner_c, indexing="ij"))
    moved = integer.reshape(-1, 2)
    taper = raised_cosine_taper(config.window, config.taper_beta)
    mask = FrequencyMask.make(config.window, config.max_frequency)
    shift = np.empty((rows.size, 2), dtype=np.float32)
    snr = np.empty(rows.size, dtype=np.float32)
    chunks = range(0, rows.size, CHUNK_WINDOWS)
    for start in tqdm(chunks, disable=not progress, unit="chunk", desc="correlating"):
        part = slice(start, start + CHUNK_WINDOWS)
        windows = (
            _windows(pre, config.window, rows[part], cols[part]),
            _windows(post, config.window, rows[part] + moved[part, 0], cols[part] + moved[part, 1]),
        )
        if config.device is None:
            phase = masked_phase(*windows, taper, mask)
        else:
            phase = masked_phase_torch(*windows, taper, mask, config.device)
        fine, part_snr = fit_phase_plane(phase, mask, config.iterations)
        if config.device is not None:
            fine, part_snr = fine.cpu().numpy(), part_snr.cpu().numpy()
        shift[part] = fine
        snr[part] = part_snr
    shape = (len(corner_r), len(corner_c))
    return shift.reshape(*shape, 2), snr.reshape(shape)


def _fine_sliding(pre, post, corner_r, corner_c, integer, config, progress):
    """Sub-pixel shifts ``[H', W', 2]`` and SNR ``[H', W']`` by the sliding transform, in
    blocks of ``BLOCK_ROWS`` x ``BLOCK_COLS`` windows (NumPy).

    Post's windows move with their coarse node's integer shift: a block transforms the band of
    post's rows and columns its moved windows span, and picks each window's spectrum there.
    """
    transform = SlidingTransform.make(config.window, config.max_frequency, config.taper_beta)
    shift = np.empty((len(corner_r), len(corner_c), 2), dtype=np.float32)
    snr = np.empty((len(corner_r), len(corner_c)), dtype=np.float32)
    blocks = [
        (slice(r, r + BLOCK_ROWS), slice(c, c + BLOCK_COLS))
        for r in range(0, len(corner_r), BLOCK_ROWS)
        for c in range(0, len(corner_c), BLOCK_COLS)
    ]

    def block(rows: slice, cols: slice) -> None:
        moved_r = corner_r[rows, None] + integer[rows, cols, 0]
        moved_c = corner_c[None, cols] + integer[rows, cols, 1]
        post_rows, post_cols = np.unique(moved_r), np.unique(moved_c)
        spectra = transform.spectra(pre, corner_r[rows], corner_c[cols])
        moved = transform.spectra(post, post_rows, post_cols)[
            :, np.searchsorted(post_rows, moved_r), np.searchsorted(post_cols, moved_c)
        ]
        np.multiply(spectra, np.conjugate(moved, out=moved), out=spectra)
        phase = np.angle(spectra).reshape(len(spectra), -1)
        fine, block_snr = fit_phase_plane(phase, transform.mask, config.iterations)
        shift[rows, cols] = fine.reshape(*moved_r.shape, 2)
        snr[rows, cols] = block_snr.reshape(moved_r.shape)

    # A block a thread (NumPy and BLAS release the GIL; blocks write disjoint parts), BLAS in
    # one thread each: the products are small, and nested threads would oversubscribe the cores.
    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(os.cpu_count()) as pool:
        done = pool.map(lambda rows_cols: block(*rows_cols), blocks)
        for _ in tqdm(done, "correlating", len(blocks), disable=not progress, unit="block"):
            pass
    return shift, snr
