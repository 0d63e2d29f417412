"""GeoTIFF edges of the correlator: read a georeferenced pair, write the displacement map."""

from __future__ import annotations

import os

import numpy as np
import rasterio

from baselines.imagery.scenes import Scene, check_same_grid, read_scene
from quakebench.atomic import atomic_path

BAND_NAMES = ("east_px", "north_px", "snr")


def read_pair(pre_path: str | os.PathLike, post_path: str | os.PathLike) -> tuple[Scene, Scene]:
    """Two single-band GeoTIFFs on one grid (CRS, transform and shape are checked)."""
    pre, post = read_scene(pre_path), read_scene(post_path)
    check_same_grid(pre, post)
    return pre, post


def write_displacement(
    path: str | os.PathLike,
    displacement_px: np.ndarray,
    snr: np.ndarray,
    like: Scene,
    step: int,
) -> None:
    """Write a 3-band float32 GeoTIFF: east and north displacement in pixels, then SNR.

    Output pixel ``(i, j)`` is input pixel ``(i step, j step)``: the transform is ``like``'s with
    pixels ``step`` times larger, anchored so that each output pixel centre falls on the input
    pixel centre it was measured at.
    """
    a, b, c, d, e, f = like.transform
    # Input pixel centre (i step, j step) sits at c + a (j step + 0.5); the output pixel of
    # size a step centred there starts at c + a (j step + 0.5 - step / 2).
    origin_shift = 0.5 - step / 2
    transform = rasterio.Affine(
        a * step, b * step, c + origin_shift * (a + b), d * step, e * step,
        f + origin_shift * (d + e),
    )  # fmt: skip
    profile = {
        "driver": "GTiff",
        "height": snr.shape[0],
        "width": snr.shape[1],
        "count": 3,
        "dtype": "float32",
        "crs": like.crs or None,
        "transform": transform,
        "compress": "deflate",
        "predictor": 3,
        "tiled": True,
    }
    with atomic_path(path) as temporary, rasterio.open(temporary, "w", **profile) as dataset:
        dataset.write(np.concatenate([displacement_px, snr[None]]).astype(np.float32))
        for band, name in enumerate(BAND_NAMES, start=1):
            dataset.set_band_description(band, name)
        dataset.update_tags(
            convention="post(q) = pre(q - u(q)); east positive = +col, north positive = -row",
            units="pixels of the input images (bands 1-2); SNR in [0, 1] (band 3)",
        )
