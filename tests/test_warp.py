"""Quintic warping against exact Fourier interpolation of band-limited real texture."""

from __future__ import annotations

import numpy as np
import pytest

from baselines.generator.earthquake.simulate import simulate
from baselines.imagery.scenes import bundled_catalog
from baselines.imagery.warp import warp

MARGIN = 24


@pytest.fixture(scope="module")
def band_limited() -> np.ndarray:
    """A periodic 64 x 64 crop of real Landsat-8 texture, low-passed to 0.6 of Nyquist."""
    scenes, _ = bundled_catalog()
    image = scenes["LC08_020039_B8_gulfcoast"].image[300:364, 300:364].astype(np.float64)
    spectrum = np.fft.fft2(image)
    k = np.fft.fftfreq(64)
    keep = (np.abs(k)[:, None] <= 0.3) & (np.abs(k)[None, :] <= 0.3)
    return np.fft.ifft2(spectrum * keep).real


def fourier_value(image: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Exact value of a periodic band-limited image at fractional positions (its Fourier series)."""
    n = image.shape[0]
    spectrum = np.fft.fft2(image) / image.size
    k = np.fft.fftfreq(n, d=1 / n)
    phase_r = np.exp(2j * np.pi * np.outer(rows.ravel(), k) / n)
    phase_c = np.exp(2j * np.pi * np.outer(cols.ravel(), k) / n)
    values = np.einsum("pi,ij,pj->p", phase_r, spectrum, phase_c).real
    return values.reshape(rows.shape)


def gradient_rms(image: np.ndarray) -> float:
    gy, gx = np.gradient(image)
    return float(np.sqrt(np.mean(gx**2 + gy**2)))


def px_equivalent_error(warped: np.ndarray, exact: np.ndarray) -> float:
    """Rms intensity error divided by rms gradient: the equivalent displacement error."""
    return float(np.sqrt(np.mean((warped - exact) ** 2)) / gradient_rms(exact))


@pytest.mark.parametrize("shift_en", [(0.37, -0.21), (-1.6, 2.45)])
def test_constant_shift_matches_fourier_shift(band_limited, shift_en):
    source = np.pad(band_limited, MARGIN, mode="wrap")
    displacement = np.broadcast_to(np.array(shift_en, np.float32)[:, None, None], (2, 64, 64))
    warped = warp(source, displacement, MARGIN)
    rows, cols = np.mgrid[0:64, 0:64].astype(float)
    exact = fourier_value(band_limited, rows + shift_en[1], cols - shift_en[0])
    assert px_equivalent_error(warped, exact) <= 0.01


def test_earthquake_field_matches_fourier_interpolation(band_limited):
    field = simulate(seed=3, size=64).displacement_px
    displacement = field * (3.0 / np.abs(field).max())  # up to 3 px, with a step
    source = np.pad(band_limited, MARGIN, mode="wrap")
    warped = warp(source, displacement, MARGIN)
    rows, cols = np.mgrid[0:64, 0:64].astype(float)
    exact = fourier_value(band_limited, rows + displacement[1], cols - displacement[0])
    assert np.abs(displacement).max() > 1.0
    assert px_equivalent_error(warped, exact) <= 0.01


def test_overshoot_is_clipped_to_the_source_range():
    source = np.zeros((40, 40))
    source[:, 20:] = 1000.0
    displacement = np.full((2, 8, 8), 0.5, np.float32)
    warped = warp(source[6:26, 6:26], displacement, 6)
    assert warped.min() >= 0.0 and warped.max() <= 1000.0


def test_displacement_beyond_margin_is_refused():
    with pytest.raises(ValueError, match="margin"):
        warp(np.zeros((20, 20)), np.full((2, 10, 10), 4.0, np.float32), 5)
