"""GeoTIFF edges of the correlator: a georeferenced pair in, a displacement map out, a block at
a time, so that a whole pan scene (about 16,000 x 16,000 px) maps in bounded memory.

Blocks of the output are correlated from windows of both images read with a halo wide enough
for every window and integer shift the estimates inside the block use, aligned to the coarse
grid and the output step: each estimate sees the pixels (and, at the scene's borders, the
reflection) it sees when the pair is correlated whole.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import rasterio
from rasterio.windows import Window
from tqdm.auto import tqdm

from baselines.imagery.correlate import correlate
from baselines.imagery.settings import CorrelationSettings
from quakebench.atomic import atomic_path
from quakebench.errors import QuakebenchError

BAND_NAMES = ("east_px", "north_px", "snr")

BLOCK_PX = 2048
"""Output block side in input pixels: a block and its halo take about 250 MB to correlate."""


def _grid(path: str | os.PathLike) -> tuple:
    try:
        with rasterio.open(path) as dataset:
            return dataset.crs, dataset.transform, dataset.height, dataset.width
    except rasterio.errors.RasterioError as error:
        raise QuakebenchError(f"{path}: cannot read as a GeoTIFF ({error})") from None


def halo_px(config: CorrelationSettings) -> int:
    """Pixels read beyond a block on each side: the coarse node nearest an estimate, its
    window, the fine window and the largest integer shift, rounded up to whole steps of both
    grids."""
    reach = config.coarse_step + config.coarse_window + config.window // 2 + 1
    unit = math.lcm(config.step, config.coarse_step)
    return unit * math.ceil(reach / unit)


def output_profile(crs, transform, height: int, width: int, step: int) -> dict:
    """The profile of the 3-band float32 map: tiled, deflated, pixels ``step`` times larger,
    each output pixel centred on the input pixel it was measured at."""
    a, b, c, d, e, f = tuple(transform)[:6]
    origin_shift = 0.5 - step / 2
    return {
        "driver": "GTiff",
        "height": math.ceil(height / step),
        "width": math.ceil(width / step),
        "count": 3,
        "dtype": "float32",
        "crs": crs,
        "transform": rasterio.Affine(
            a * step,
            b * step,
            c + origin_shift * (a + b),
            d * step,
            e * step,
            f + origin_shift * (d + e),
        ),
        "compress": "deflate",
        "predictor": 3,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "BIGTIFF": "IF_SAFER",
    }


def correlate_scene(
    pre_path: str | os.PathLike,
    post_path: str | os.PathLike,
    output: str | os.PathLike,
    config: CorrelationSettings,
    block_px: int = BLOCK_PX,
    progress: bool = True,
) -> int:
    """Correlate two single-band GeoTIFFs of one grid, block by block, into a 3-band GeoTIFF
    (east and north displacement in pixels, then SNR); returns the estimates written."""
    crs, transform, height, width = _grid(pre_path)
    if _grid(post_path) != (crs, transform, height, width):
        raise QuakebenchError(
            f"{pre_path} and {post_path} are not on the same grid (CRS, transform, size); "
            "resample one first"
        )
    unit = math.lcm(config.step, config.coarse_step)
    block = unit * max(1, block_px // unit)
    halo = halo_px(config)
    profile = output_profile(crs, transform, height, width, config.step)
    starts = [(r, c) for r in range(0, height, block) for c in range(0, width, block)]
    with (
        atomic_path(Path(output)) as temporary,
        rasterio.open(pre_path) as pre,
        rasterio.open(post_path) as post,
        rasterio.open(temporary, "w", **profile) as out,
    ):
        for band, name in enumerate(BAND_NAMES, start=1):
            out.set_band_description(band, name)
        out.update_tags(
            convention="post(q) = pre(q - u(q)); east positive = +col, north positive = -row",
            units="pixels of the input images (bands 1-2); SNR in [0, 1] (band 3)",
        )
        for row, col in tqdm(starts, unit="block", desc="correlating", disable=not progress):
            top, left = max(0, row - halo), max(0, col - halo)
            bottom, right = min(height, row + block + halo), min(width, col + block + halo)
            window = Window(left, top, right - left, bottom - top)
            displacement, snr = correlate(
                pre.read(1, window=window).astype(np.float32),
                post.read(1, window=window).astype(np.float32),
                config,
            )
            first_r, first_c = (row - top) // config.step, (col - left) // config.step
            rows = math.ceil(min(block, height - row) / config.step)
            cols = math.ceil(min(block, width - col) / config.step)
            inner = np.concatenate([displacement, snr[None]])
            inner = inner[:, first_r : first_r + rows, first_c : first_c + cols]
            out.write(inner, window=Window(col // config.step, row // config.step, cols, rows))
    return profile["height"] * profile["width"]
