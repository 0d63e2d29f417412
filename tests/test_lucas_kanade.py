"""Dense Lucas-Kanade reads exact Fourier shifts of Landsat-8 texture, uniform and stepped, to
a few thousandths of a pixel, and the generator's own warp to a hundred-thousandth."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage as ndi

from baselines.imagery.lucas_kanade import lucas_kanade, spline_coefficients, warp_back
from baselines.imagery.scenes import bundled_catalog
from baselines.imagery.warp import warp
from quakebench.data.transforms import normalise_pair


def uniform(east_px: float, north_px: float) -> np.ndarray:
    """A uniform ``[2, 128, 128]`` field."""
    return np.broadcast_to(np.array([east_px, north_px])[:, None, None], (2, 128, 128)).copy()


def inner_median(field: np.ndarray) -> np.ndarray:
    """The median (east, north) 16 px or more from the edges."""
    return np.median(field[:, 16:-16, 16:-16], axis=(1, 2))


@pytest.fixture(scope="module")
def bedrock() -> np.ndarray:
    """A 128 px crop of real Landsat-8 texture (Yahtse's first date), normalised."""
    _, pairs = bundled_catalog()
    (pair,) = (p for p in pairs if p.pre.place == "yahtse")
    crop = pair.pre.image[220:348, 400:528]
    return normalise_pair(crop, crop)[0]


def shifted(image: np.ndarray, east_px: float, north_px: float) -> np.ndarray:
    """``image(q - u)``, the image moved by ``u``: an exact Fourier shift of its mirrored
    extension, so its edges do not ring."""
    height, width = image.shape
    even = np.block([[image, image[:, ::-1]], [image[::-1], image[::-1, ::-1]]])
    spectrum = ndi.fourier_shift(np.fft.fft2(even), (-north_px, east_px))
    return np.real(np.fft.ifft2(spectrum))[:height, :width].astype(np.float32)


def test_warping_back_by_the_shift_undoes_it(bedrock):
    """Against an exact Fourier shift of band-limited texture (real texture smoothed by 1 px),
    where a spline can follow it: what is left is 1 % of the 0.05 px shift's difference."""
    smooth = ndi.gaussian_filter(bedrock, 1.0)
    post = shifted(smooth, 0.05, -0.03)
    left = (warp_back(spline_coefficients(post), uniform(0.05, -0.03)) - smooth)[16:-16, 16:-16]
    moved = (post - smooth)[16:-16, 16:-16]
    assert np.sqrt(np.mean(left**2)) < 0.01 * np.sqrt(np.mean(moved**2))


@pytest.mark.parametrize("sigma_px", [1.0, 2.5])  # the refiner's windows
def test_a_uniform_sub_pixel_shift_is_read_from_a_zero_start(bedrock, sigma_px):
    smooth = ndi.gaussian_filter(bedrock, 1.0)
    post = shifted(smooth, 0.05, -0.03)
    ((field, texture),) = lucas_kanade(smooth, post, uniform(0.0, 0.0), [sigma_px])
    np.testing.assert_allclose(inner_median(field), [0.05, -0.03], atol=1e-3)
    assert (texture >= -1e-6).all() and np.median(texture) > 0


@pytest.mark.parametrize("sigma_px", [1.0, 2.5])
def test_the_generators_warp_of_real_texture_is_read_exactly(sigma_px):
    """Unsmoothed 15 m texture moved by the generator's quintic warp (how the data is made):
    a consistency check, since the solve uses the same interpolant; the Fourier tests above are
    the independent ones."""
    _, pairs = bundled_catalog()
    (pair,) = (p for p in pairs if p.pre.place == "yahtse")
    source = pair.pre.image[200:368, 380:548].astype(np.float64)
    pre = source[20:-20, 20:-20]
    post = warp(source, uniform(0.05, -0.03), margin=20)
    ((field, _),) = lucas_kanade(pre, post, uniform(0.0, 0.0), [sigma_px])
    np.testing.assert_allclose(inner_median(field), [0.05, -0.03], atol=1e-4)


def test_a_step_is_read_next_to_its_trace(bedrock):
    """A 0.04 px east step across row 64 (each side an exact shift): from the correlator-like
    start of a 16 px ramp, the rows 2-4 px from the trace come within 0.01 px of the step."""
    north_side, south_side = shifted(bedrock, 0.02, 0.0), shifted(bedrock, -0.02, 0.0)
    post = np.where(np.arange(128)[:, None] < 64, north_side, south_side)
    ramp = 0.02 * np.clip((64 - np.arange(128) - 0.5) / 8, -1, 1)
    start = uniform(0.0, 0.0)
    start[0] = ramp[:, None]
    ((field, _),) = lucas_kanade(bedrock, post, start, [1.0])
    east = np.median(field[0, :, 16:-16], axis=1)
    near = np.r_[60:62, 66:68]
    step = np.where(near < 64, 0.02, -0.02)
    assert np.abs(east[near] - step).max() < 0.01
    assert np.abs(ramp[near] - step).max() > 0.012  # the start misses it
