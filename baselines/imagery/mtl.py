"""Landsat Level-1 metadata (``*_MTL.txt``): its fields, and the pixel grid it describes.

The MTL is ODL text, ``GROUP = ...`` blocks of ``KEY = value`` lines. A crop's MTL gives the
UTM coordinates of the centres of its corner pixels (``CORNER_UL/LR_PROJECTION_X/Y_PRODUCT``,
WGS84, zone ``UTM_ZONE``; southern-hemisphere northings written negative), from which the
GeoTIFF transform follows: pixel size ``(LR - UL) / (samples - 1)``, corner half a pixel out.
As in USGS's own Level-1 GeoTIFFs, southern scenes stay in the northern zone's CRS
(EPSG:326xx) with negative northings.
"""

from __future__ import annotations

import os
from pathlib import Path

from quakebench.errors import QuakebenchError


def read_mtl(path: str | os.PathLike) -> dict[str, str]:
    """Every ``KEY = value`` of an MTL file (groups flattened, quotes removed)."""
    fields = {}
    for line in Path(path).read_text().splitlines():
        key, sep, value = line.strip().partition(" = ")
        if sep and key not in ("GROUP", "END_GROUP"):
            fields.setdefault(key, value.strip().strip('"'))
    return fields


def mtl_grid(
    mtl: dict[str, str], shape: tuple[int, int], band: int
) -> tuple[str, tuple[float, ...]]:
    """CRS and affine transform ``(a, b, c, d, e, f)`` of band ``band``'s image from its MTL.

    The corners may describe the panchromatic (15 m) or the reflective (30 m) grid: the one
    whose ``*_LINES``/``*_SAMPLES`` they span. Both grids share their outer edge, so the band's
    pixels (15 m for band 8, else 30 m) are laid from that edge.

    Raises
    ------
    QuakebenchError
        If a field is missing, the corners fit neither grid, or the image overruns them.
    """
    try:
        ul_x, ul_y = (float(mtl[f"CORNER_UL_PROJECTION_{a}_PRODUCT"]) for a in "XY")
        lr_x, lr_y = (float(mtl[f"CORNER_LR_PROJECTION_{a}_PRODUCT"]) for a in "XY")
        zone = int(mtl["UTM_ZONE"])
        grids = {
            grid: (
                float(mtl[f"GRID_CELL_SIZE_{grid}"]),
                int(mtl[f"{grid}_LINES"]),
                int(mtl[f"{grid}_SAMPLES"]),
            )
            for grid in ("PANCHROMATIC", "REFLECTIVE")
        }
    except (KeyError, ValueError) as error:
        raise QuakebenchError(f"MTL: missing or unreadable field {error}") from None
    spanned = [
        cell
        for cell, lines, samples in grids.values()
        if (lr_x - ul_x) == cell * (samples - 1) and (ul_y - lr_y) == cell * (lines - 1)
    ]
    if not spanned:
        raise QuakebenchError(
            "MTL: the corners span neither the panchromatic nor the reflective grid"
        )
    west, north = ul_x - spanned[0] / 2, ul_y + spanned[0] / 2
    pixel = grids["PANCHROMATIC" if band == 8 else "REFLECTIVE"][0]
    width_m, height_m = lr_x - ul_x + spanned[0], ul_y - lr_y + spanned[0]
    if shape[1] * pixel > width_m or shape[0] * pixel > height_m:
        raise QuakebenchError(
            f"MTL: a {shape[0]} x {shape[1]} image of {pixel:g} m overruns its "
            f"{height_m:g} x {width_m:g} m corners"
        )
    return f"EPSG:326{zone:02d}", (pixel, 0.0, west, 0.0, -pixel, north)
