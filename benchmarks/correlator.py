"""Speed and accuracy of the phase correlator against scikit-image, and its step response.

Run: ``python benchmarks/correlator.py``

In one run, on real Landsat-8 texture shifted by exact Fourier shifts:

1. windows per second and mean error of this correlator (batched) and of a per-window loop of
   scikit-image's ``phase_cross_correlation(upsample_factor=100)`` on the same 32 x 32 windows;
2. the time for a dense step-1 displacement map of a 1024 x 1024 pair by the sliding transform
   (the default) and by the window transform (an ``rfft2`` per window; in torch on a GPU too,
   where one is present), as a multiple of the FFT floor (the batched transforms of every
   window of both images, timed in the same run) and in windows per second against the
   scikit-image loop's;
3. the response to a 1 px strike-slip step for windows of 16, 32 and 64 pixels: zone width and
   bias next to the fault (the figures the networks must beat).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import scipy.fft
from scipy import ndimage as ndi
from skimage.registration import phase_cross_correlation

from baselines.correlator.config import CorrelatorConfig
from baselines.imagery.correlate import CHUNK_WINDOWS, correlate
from baselines.imagery.phase_correlation import (
    FrequencyMask,
    fit_phase_plane,
    masked_phase,
    raised_cosine_taper,
)
from baselines.imagery.scenes import bundled_catalog

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the protocols shared with the tests: tests/protocols/

from tests.protocols.step_response import measure_step_response  # noqa: E402

WINDOW = 32


def shifted_windows(texture: np.ndarray, count: int, rng: np.random.Generator):
    """``count`` window pairs of real texture, each shifted by a random sub-pixel amount."""
    shifts = rng.uniform(-0.5, 0.5, (count, 2))
    pre, post = [], []
    for shift in shifts:
        r, c = rng.integers(16, texture.shape[0] - WINDOW - 16, 2)
        tile = texture[r - 16 : r + WINDOW + 16, c - 16 : c + WINDOW + 16]
        moved = np.fft.ifft2(ndi.fourier_shift(np.fft.fft2(tile), shift)).real
        pre.append(tile[16:-16, 16:-16])
        post.append(moved[16:-16, 16:-16])
    return np.array(pre, np.float32), np.array(post, np.float32), shifts


def fft_floor(image: np.ndarray, window: int) -> float:
    """Seconds of the batched ``rfft2`` of both images' windows at every pixel, in the
    correlator's chunks: what any window-by-window phase correlator must at least compute."""
    padded = np.pad(image, window // 2, mode="reflect")
    views = np.lib.stride_tricks.sliding_window_view(padded, (window, window))
    rows = image.shape[0]
    per_chunk = max(1, CHUNK_WINDOWS // image.shape[1])
    seconds = 0.0
    for start in range(0, rows, per_chunk):
        chunk = np.ascontiguousarray(views[start : start + per_chunk, : image.shape[1]])
        chunk = chunk.reshape(-1, window, window)
        for _ in range(2):  # pre and post
            began = time.perf_counter()
            scipy.fft.rfft2(chunk)
            seconds += time.perf_counter() - began
    return seconds


def dense_configs() -> list[tuple[str, CorrelatorConfig]]:
    """The correlator's transforms to time: NumPy's two, and torch's on a GPU if one is here."""
    configs = [
        ("sliding transform (NumPy)", CorrelatorConfig()),
        ("window transform (NumPy)", CorrelatorConfig(transform="window")),
    ]
    try:
        import torch
    except ImportError:
        return configs
    if torch.cuda.is_available():
        configs.append(
            ("window transform (cuda)", CorrelatorConfig(transform="window", device="cuda"))
        )
    return configs


def main() -> None:
    scenes, pairs = bundled_catalog()
    (pair,) = (p for p in pairs if p.pre.place == "yahtse")  # the one 1024 px pair
    texture = scenes["LC08_020039_B8_gulfcoast"].image.astype(np.float64)
    rng = np.random.default_rng(0)
    print(f"machine: {os.cpu_count()} cores")

    pre, post, truth = shifted_windows(texture, 2000, rng)
    mask = FrequencyMask.make(WINDOW, 0.35)
    taper = raised_cosine_taper(WINDOW)
    start = time.perf_counter()
    ours, _ = fit_phase_plane(masked_phase(pre, post, taper, mask), mask)
    ours_s = time.perf_counter() - start
    loop = 400
    start = time.perf_counter()
    theirs = np.array(
        [
            -phase_cross_correlation(a, b, upsample_factor=100)[0]
            for a, b in zip(pre[:loop], post[:loop], strict=True)
        ]
    )
    theirs_s = time.perf_counter() - start
    ours_rate, theirs_rate = len(pre) / ours_s, loop / theirs_s
    print(f"{WINDOW} x {WINDOW} windows, random shifts in [-0.5, 0.5] px (window transform):")
    print(
        f"  this correlator: {ours_rate:10.0f} windows/s, "
        f"mean error {np.abs(ours - truth).mean():.4f} px"
    )
    print(
        f"  skimage loop:    {theirs_rate:10.0f} windows/s, "
        f"mean error {np.abs(theirs - truth[:loop]).mean():.4f} px"
    )
    print(f"  speed-up: {ours_rate / theirs_rate:.0f}x")

    image = pair.pre.image[:1024, :1024].astype(np.float32)
    floor_s = fft_floor(image, WINDOW)
    print(
        f"dense step-1 map of a 1024 x 1024 pair (FFT floor, the rfft2 of both images' {WINDOW} px"
        f" windows at every pixel, batched: {floor_s:.1f} s):"
    )
    for label, config in dense_configs():
        start = time.perf_counter()
        correlate(image, image, config)
        dense_s = time.perf_counter() - start
        dense_rate = image.size / dense_s
        print(
            f"  {label:<26} {dense_s:6.1f} s, {dense_rate:8.0f} windows/s: "
            f"{dense_s / floor_s:.2f}x the floor, {dense_rate / theirs_rate:.0f}x the skimage loop"
        )

    print("1 px right-lateral step (warped real texture, 512 px):")
    print(
        f"  {'window':>6} {'zone width px':>14} {'near-fault bias px':>19} "
        f"{'near-fault mae px':>18} {'far mae px':>11}"
    )
    step_texture = texture[100:628, 100:628]
    for window in (16, 32, 64):
        r = measure_step_response(step_texture, window)
        print(
            f"  {window:>6} {r.ramp_width_px:>14.1f} {r.near_fault_bias_px:>19.3f} "
            f"{r.near_fault_mae_px:>18.3f} {r.far_mae_px:>11.4f}"
        )


if __name__ == "__main__":
    main()
