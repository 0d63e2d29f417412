"""The phase correlator against exact Fourier shifts and scikit-image, on real texture."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
import scipy.fft
from scipy import ndimage as ndi
from skimage.registration import phase_cross_correlation

from baselines.correlator.config import CorrelatorConfig
from baselines.imagery.correlate import correlate
from baselines.imagery.phase_correlation import (
    FrequencyMask,
    fit_phase_plane,
    masked_phase,
    raised_cosine_taper,
)
from baselines.imagery.scenes import BUNDLED_CATALOG, bundled_catalog
from baselines.imagery.sliding_transform import SlidingTransform
from quakebench.cli import main
from tests.protocols.step_response import measure_step_response


@pytest.fixture(scope="module")
def texture() -> np.ndarray:
    scenes, _ = bundled_catalog()
    return scenes["LC08_020039_B8_gulfcoast"].image[200:520, 150:470].astype(np.float64)


def fourier_shifted(image: np.ndarray, shift_rc: tuple[float, float]) -> np.ndarray:
    """``image(x - s)``, exactly, for a periodic band of frequencies (the Fourier shift)."""
    return np.fft.ifft2(ndi.fourier_shift(np.fft.fft2(image), shift_rc)).real


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint16])
@pytest.mark.parametrize("shift", [(0.31, -0.18), (-0.47, 0.05), (0.12, 0.44)])
def test_subpixel_shift_beats_scikit_image(texture, shift, dtype):
    shifted = fourier_shifted(texture, shift)
    # 32 x 32 windows on a grid in the interior, away from the Fourier shift's wrap-around.
    corners = [(r, c) for r in range(40, 260, 37) for c in range(40, 260, 37)]
    pre = np.stack([texture[r : r + 32, c : c + 32] for r, c in corners]).astype(dtype)
    post = np.stack([shifted[r : r + 32, c : c + 32] for r, c in corners]).astype(dtype)
    mask = FrequencyMask.make(32, 0.35)
    phase = masked_phase(
        pre.astype(np.float32), post.astype(np.float32), raised_cosine_taper(32), mask
    )
    ours, snr = fit_phase_plane(phase, mask)
    theirs = np.array(
        [
            -phase_cross_correlation(a, b, upsample_factor=100)[0]
            for a, b in zip(pre, post, strict=True)
        ]
    )
    our_error = np.abs(ours - np.array(shift)).mean()
    their_error = np.abs(theirs - np.array(shift)).mean()
    assert our_error <= 0.02
    assert our_error <= their_error
    assert np.all(snr > 0.8)


def test_dense_map_of_a_translation(texture):
    shifted = fourier_shifted(texture, (1.37, -2.62))  # beyond a pixel: the integer stage
    displacement, snr = correlate(texture, shifted, CorrelatorConfig(step=8))
    inner = (slice(5, -5), slice(5, -5))  # away from borders and the wrap-around
    assert np.abs(displacement[0][inner] - (-2.62)).mean() <= 0.02  # east = +col
    assert np.abs(displacement[1][inner] - (-1.37)).mean() <= 0.02  # north = -row
    assert displacement.shape == (2, 40, 40) and snr.shape == (40, 40)


def test_noise_has_low_snr():
    rng = np.random.default_rng(1)
    _, snr = correlate(rng.random((96, 96)), rng.random((96, 96)), CorrelatorConfig(step=16))
    assert snr.mean() < 0.7


def test_step_response_smears_the_fault(texture):
    responses = {w: measure_step_response(texture[:272, :272], w) for w in (16, 32)}
    for window, response in responses.items():
        # The ramp spans a good part of the window; next to the fault the jump is lost.
        assert window / 4 <= response.ramp_width_px <= 1.5 * window
        assert -0.5 <= response.near_fault_bias_px <= -0.2
    assert responses[32].far_mae_px < responses[16].far_mae_px < 0.1


def test_correlate_cli_writes_georeferenced_bands(tmp_path):
    folder = BUNDLED_CATALOG.parent
    output = tmp_path / "displacement.tif"
    status = main(
        [
            "correlate",
            str(folder / "LC08_063018_20160718_B8_yahtse.tif"),
            str(folder / "LC08_063018_20160803_B8_yahtse.tif"),
            "--output",
            str(output),
            "--step",
            "16",
        ]
    )
    assert status == 0
    with rasterio.open(output) as dataset:
        assert dataset.count == 3 and dataset.crs.to_string() == "EPSG:32607"
        assert dataset.descriptions == ("east_px", "north_px", "snr")
        assert dataset.transform.a == 240.0
        east, north, snr = dataset.read()
    assert east.shape == (68, 107)
    # Bedrock (north-east) is still; the glacier tongue (centre) flows about 2 px.
    assert np.median(np.hypot(east, north)[5:20, 80:100]) < 0.3
    assert np.median(np.hypot(east, north)[30:40, 55:60]) > 1.0
    assert 0.0 <= snr.min() and snr.max() <= 1.0


def test_a_scene_mapped_block_by_block_is_the_scene_mapped_whole(tmp_path):
    """Blocks of 128 px with their halo give the estimates of one pass over the whole pair
    (the same windows, shifts and border reflections), in a tiled, compressed GeoTIFF. The
    sliding transform centres each band of rows on its mean, so float32 sums round differently
    in a block: estimates agree to 1e-4 px."""
    from baselines.correlator.geotiff import correlate_scene

    folder = BUNDLED_CATALOG.parent
    pair = [folder / f"LC08_063018_{date}_B8_yahtse.tif" for date in ("20160718", "20160803")]
    config = CorrelatorConfig(step=8)
    maps = {}
    for name, block in (("whole", 10**6), ("blocks", 128)):
        correlate_scene(*pair, tmp_path / f"{name}.tif", config, block_px=block, progress=False)
        with rasterio.open(tmp_path / f"{name}.tif") as dataset:
            maps[name] = dataset.read()
            assert dataset.profile["tiled"] and dataset.compression.value == "DEFLATE"
    with rasterio.open(pair[0]) as pre, rasterio.open(pair[1]) as post:
        whole, snr = correlate(pre.read(1), post.read(1), config)
    np.testing.assert_array_equal(maps["whole"], np.concatenate([whole, snr[None]]))
    np.testing.assert_allclose(maps["blocks"], maps["whole"], rtol=0, atol=1e-4)


def test_bad_window_is_refused(tmp_path, capsys):
    folder = BUNDLED_CATALOG.parent
    status = main(
        [
            "correlate",
            str(folder / "LC08_063018_20160718_B8_yahtse.tif"),
            str(folder / "LC08_020039_B8_gulfcoast.tif"),
            "--output",
            str(tmp_path / "d.tif"),
        ]
    )
    assert status == 2 and "not on the same grid" in capsys.readouterr().err
    status = main(
        [
            "correlate",
            str(folder / "LC08_063018_20160718_B8_yahtse.tif"),
            str(folder / "LC08_063018_20160803_B8_yahtse.tif"),
            "--window",
            "31",
            "--output",
            str(tmp_path / "d.tif"),
        ]
    )
    assert status == 2 and "window must be an even number" in capsys.readouterr().err


def test_torch_path_matches_numpy(texture):
    pytest.importorskip("torch")
    shifted = fourier_shifted(texture, (0.3, -0.2))
    numpy_map, numpy_snr = correlate(texture, shifted, CorrelatorConfig(step=4))
    torch_config = CorrelatorConfig(step=4, device="cpu", transform="window")
    torch_map, torch_snr = correlate(texture, shifted, torch_config)
    assert np.abs(torch_map - numpy_map).max() < 1e-4
    assert np.abs(torch_snr - numpy_snr).max() < 1e-4


def test_sliding_spectra_are_the_windows_ffts(texture):
    """The sliding transform's spectra at scattered corners against scipy's ``rfft2`` of each
    window, mean removed and tapered, on real texture."""
    transform = SlidingTransform.make(32, 0.35, 0.5)
    rows, cols = np.array([0, 1, 2, 17, 150, 287]), np.array([0, 5, 6, 99, 288])
    image = texture.astype(np.float32)
    spectra = transform.spectra(image, rows, cols)
    taper = raised_cosine_taper(32)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            window = image[r : r + 32, c : c + 32]
            fft = scipy.fft.rfft2((window - window.mean()) * taper).ravel()[transform.mask.bins]
            assert np.abs(spectra[:, i, j] - fft).max() <= 1e-5 * np.abs(fft).max()


def test_sliding_transform_maps_like_the_window_transform():
    """A dense map of a real pair (Yahtse's glacier and bedrock, 256 px) by both transforms:
    99.99 % of the estimates within 1e-4 px (float32 sums in another order)."""
    _, pairs = bundled_catalog()
    (pair,) = (p for p in pairs if p.pre.place == "yahtse")
    pre, post = (d.image[300:556, 300:556].astype(np.float32) for d in (pair.pre, pair.post))
    sliding, sliding_snr = correlate(pre, post, CorrelatorConfig())
    window, window_snr = correlate(pre, post, CorrelatorConfig(transform="window"))
    assert np.abs(window).max() > 1.0  # the glacier moves: integer shifts are exercised
    assert np.mean(np.abs(sliding - window) <= 1e-4) >= 0.9999
    assert np.mean(np.abs(sliding_snr - window_snr) <= 1e-4) >= 0.9999
