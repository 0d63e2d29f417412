"""Bundled scenes, catalogues, validity masks and co-registration."""

from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pytest
import rasterio
import tifffile
from scipy import ndimage as ndi

from baselines.generator.samples.patches import crop_transform, orient, orient_vector
from baselines.imagery.scenes import (
    BUNDLED_CATALOG,
    bundled_catalog,
    read_catalog,
    read_plain_geotiff,
    read_scene,
    scenes_in_folder,
)
from baselines.imagery.validity import coregistration, pair_validity
from quakebench.errors import QuakebenchError


@pytest.fixture(scope="module")
def catalog():
    return bundled_catalog()


def yahtse(pairs):
    (pair,) = [p for p in pairs if p.place == "yahtse"]
    return pair


def test_bundled_scenes_are_the_original_pixels(catalog):
    scenes, pairs = catalog
    entries = json.loads(BUNDLED_CATALOG.read_text())["scenes"]
    for entry in entries:
        image = scenes[entry["id"]].image
        assert image.dtype == np.uint16
        assert hashlib.sha256(image.tobytes()).hexdigest() == entry["pixels_sha256"]
    pair = yahtse(pairs)
    assert pair.pre.crs == "EPSG:32607" and pair.pre.pixel_size_m == 15.0
    assert pair.pre.acquired == "2016-07-18" and pair.post.acquired == "2016-08-03"


def test_corrupted_scene_is_named(tmp_path):
    folder = tmp_path / "landsat8"
    shutil.copytree(BUNDLED_CATALOG.parent, folder)
    target = folder / "LC08_020039_B8_gulfcoast.tif"
    data = bytearray(target.read_bytes())
    data[-100] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(QuakebenchError, match=r"LC08_020039_B8_gulfcoast\.tif: checksum mismatch"):
        read_catalog(folder / "catalog.json")


def test_user_catalogue_and_folder(tmp_path, catalog):
    scenes, _ = catalog
    scene = scenes["LC08_020039_B8_gulfcoast"]
    profile = {
        "driver": "GTiff",
        "height": 100,
        "width": 120,
        "count": 1,
        "dtype": "uint16",
        "crs": scene.crs,
        "transform": rasterio.Affine(*scene.transform),
    }
    for name, offset in (("a.tif", 0), ("b.tif", 1)):
        with rasterio.open(tmp_path / name, "w", **profile) as dataset:
            dataset.write(scene.image[offset : offset + 100, :120], 1)
    (tmp_path / "catalog.json").write_text(
        json.dumps(
            {
                "scenes": [{"id": "a", "file": "a.tif"}, {"id": "b", "file": "b.tif"}],
                "pairs": [{"id": "ab", "pre": "a", "post": "b"}],
            }
        )
    )
    _, pairs = read_catalog(tmp_path / "catalog.json")
    assert pairs[0].pre.image.shape == (100, 120)
    assert [s.id for s in scenes_in_folder(tmp_path)] == ["a", "b"]
    (tmp_path / "catalog.json").write_text(
        json.dumps(
            {
                "scenes": [{"id": "a", "file": "a.tif"}],
                "pairs": [{"id": "ab", "pre": "a", "post": "c"}],
            }
        )
    )
    with pytest.raises(QuakebenchError, match="unknown scenes"):
        read_catalog(tmp_path / "catalog.json")
    (tmp_path / "bad.tif").write_bytes(b"no tiff")
    with pytest.raises(QuakebenchError, match=r"bad\.tif"):
        read_scene(tmp_path / "bad.tif")


def test_validity_marks_moving_and_changed_ground(catalog):
    pair = yahtse(catalog[1])
    valid = pair_validity(pair.pre.image, pair.post.image)
    # The glacier tongue (centre) moves and the sea (south-west) changes; bedrock stays.
    assert valid[500:600, 900:950].mean() < 0.1
    assert valid[900:1000, 350:450].mean() < 0.1
    assert valid[700:800, 1100:1200].mean() > 0.9
    assert 0.5 < valid.mean() < 0.8


def test_coregistration_recovers_a_known_offset(catalog):
    pair = yahtse(catalog[1])
    image = pair.pre.image[:600, 1098:1698].astype(np.float64)
    shifted = np.fft.ifft2(ndi.fourier_shift(np.fft.fft2(image), (0.3, -0.45))).real
    inner = (slice(44, 556),) * 2  # away from the Fourier shift's wrap-around
    valid = np.ones((512, 512), bool)
    measured = coregistration(image[inner], shifted[inner], valid)
    assert measured.tiles == 16
    assert measured.row_px == pytest.approx(-0.3, abs=0.02)
    assert measured.col_px == pytest.approx(0.45, abs=0.02)


def test_orientations_and_their_vectors():
    image = np.arange(12).reshape(3, 4)
    variants = {orient(image, k).tobytes() + bytes(orient(image, k).shape) for k in range(8)}
    assert len(variants) == 8
    # A shift of the original grid, oriented, equals the oriented image shifted by the vector.
    big = np.random.default_rng(0).random((16, 16))
    for k in range(8):
        shifted = np.roll(big, (2, -3), axis=(0, 1))
        vector = orient_vector(np.array([2.0, -3.0]), k).astype(int)
        assert np.array_equal(orient(shifted, k), np.roll(orient(big, k), vector, axis=(0, 1)))


def test_crop_transform():
    transform = (15.0, 0.0, 1000.0, 0.0, -15.0, 5000.0)
    assert crop_transform(transform, 10, 4) == (15.0, 0.0, 1060.0, 0.0, -15.0, 4850.0)


def test_yahtse_mask_excludes_real_motion():
    """Within the final mask, the real displacement between the dates (correlator, global
    co-registration removed) stays within MOTION_K times the stable area's noise."""
    from baselines.imagery.validity import MOTION_K, pair_quality, real_displacement

    pair = yahtse(bundled_catalog()[1])
    quality = pair_quality(pair)
    residual = real_displacement(
        pair.pre.image.astype(np.float32),
        pair.post.image.astype(np.float32),
        quality.registration,
    )[:, quality.valid]
    assert 0.05 < quality.noise_px < 0.2 and 0.05 < quality.moving_fraction < 0.2
    assert np.percentile(np.abs(residual), 99) <= MOTION_K * quality.noise_px
    assert np.all(np.abs(np.percentile(residual, [10, 90], axis=1)) < 0.2)


def test_places_and_roles_of_the_bundled_catalogue():
    scenes, pairs = bundled_catalog()
    places = {s.place: s.role for s in scenes.values()}
    assert places == {
        "yahtse": "train",
        "gulfcoast": "train",
        "itaipu": "train",
        "momotombo": "train",
        "corumba": "test",
        "liverpool": "test",
    }
    assert {p.place for p in pairs} == {"yahtse", "corumba"}
    assert {s.pixel_size_m for s in scenes.values()} == {15.0, 30.0}


def test_plain_geotiff_reading_matches_rasterio():
    """Without GDAL (the GPU window), tifffile reads each bundled scene as rasterio does."""
    for path in sorted(BUNDLED_CATALOG.parent.glob("*.tif")):
        with rasterio.open(path) as dataset:
            expected = (dataset.read(1), dataset.crs.to_string(), tuple(dataset.transform)[:6])
        image, crs, transform = read_plain_geotiff(path)
        assert np.array_equal(image, expected[0]) and image.dtype == expected[0].dtype
        assert (crs, transform) == expected[1:], path.name


def test_plain_geotiff_reading_refuses_what_it_cannot_read(tmp_path):
    path = tmp_path / "no-georeference.tif"
    tifffile.imwrite(path, np.zeros((4, 4), np.uint16))
    with pytest.raises(QuakebenchError, match=r"no-georeference\.tif: not a plain GeoTIFF"):
        read_plain_geotiff(path)
