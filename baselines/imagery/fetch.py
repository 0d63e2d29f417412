"""Fetching windows of candidate pairs with rasterio: only the windows travel.

Both dates' band 8 are opened over HTTP (GDAL reads a cloud-optimised GeoTIFF's header, then
only the tiles a window needs, with range requests) and read window by window on their common
grid, nearest the overlap's centre first. A window pair is kept where the fraction of its pixels
that are valid (correlated, not moving: :func:`~baselines.imagery.validity.pair_quality`) and
textured (:func:`~baselines.imagery.validity.textured`) reaches the benchmark's crop floor,
up to ``windows_per_pair`` windows. Each kept window becomes two compressed GeoTIFFs, written
through a temporary file and renamed, with their SHA-256 and provenance in ``catalog.json``,
which ``quakebench generate --catalog`` reads as it is.

A window's place is the region its footprint meets; a window that meets a held-out (test)
region is test, whichever path/row it comes from, since neighbouring path/rows overlap.

Every decision is saved in the catalogue as soon as it is made, so a rerun skips the windows
already kept or refused; a failure names the scene and the URL, and loses nothing fetched.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import rasterio
import rasterio.errors
from rasterio.warp import transform_bounds
from rasterio.windows import Window
from tqdm.auto import tqdm

from baselines.imagery.scenes import Scene, ScenePair
from baselines.imagery.search import read_candidates
from baselines.imagery.stac_config import FetchConfig, Region, read_regions
from baselines.imagery.validity import pair_quality, textured
from quakebench.atomic import atomic_path
from quakebench.checksums import sha256_file
from quakebench.errors import QuakebenchError

CATALOG = "catalog.json"
GDAL_OPTIONS = {
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",  # no directory listing of the server
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".tif,.TIF,.tiff",
    "GDAL_HTTP_MAX_RETRY": "2",
    "GDAL_HTTP_RETRY_DELAY": "0.5",
}
"""GDAL settings of the reads; credentials come from the user's own GDAL/AWS settings."""
GEOTIFF = {
    "driver": "GTiff",
    "compress": "deflate",
    "predictor": 2,
    "tiled": True,
    "blockxsize": 256,
    "blockysize": 256,
}


class GridMismatch(QuakebenchError):
    """The two dates of a pair are not on one pixel grid: the pair is skipped."""


def _error(scene_id: str, href: str, error: Exception) -> QuakebenchError:
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return QuakebenchError(f"{scene_id}: cannot read {href} ({first})")


def common_windows(first, second, size_px: int) -> list[tuple[int, int, int, int]]:
    """Windows ``(row1, col1, row2, col2)`` on both grids, tiling their overlap, centre first.

    Raises if the two rasters are not on one grid (CRS, pixel size, whole-pixel offset).
    """
    a, b = first.transform, second.transform
    if first.crs != second.crs or (a.a, a.e) != (b.a, b.e) or a.b or a.d or b.b or b.d:
        raise GridMismatch("the two dates are not on one north-up grid of one CRS")
    shift_col, shift_row = (b.c - a.c) / a.a, (b.f - a.f) / a.e
    if not (float(shift_col).is_integer() and float(shift_row).is_integer()):
        raise GridMismatch("the two dates' grids are offset by a fraction of a pixel")
    shift_row, shift_col = int(shift_row), int(shift_col)
    top, left = max(0, shift_row), max(0, shift_col)
    bottom = min(first.height, shift_row + second.height)
    right = min(first.width, shift_col + second.width)
    rows = range(top, bottom - size_px + 1, size_px)
    cols = range(left, right - size_px + 1, size_px)
    centre = ((top + bottom) / 2, (left + right) / 2)

    def from_centre(corner: tuple[int, int]) -> tuple[float, tuple[int, int]]:
        row, col = corner[0] + size_px / 2 - centre[0], corner[1] + size_px / 2 - centre[1]
        return row * row + col * col, corner

    windows = sorted(((r, c) for r in rows for c in cols), key=from_centre)
    return [(r, c, r - shift_row, c - shift_col) for r, c in windows]


def window_quality(pre: Scene, post: Scene) -> dict:
    """The window pair's usable fraction (valid and textured), co-registration and noise."""
    if not (pre.image > 0).all() or not (post.image > 0).all():
        return {"usable_fraction": 0.0}  # the scene's edge (fill) is in the window
    quality = pair_quality(ScenePair("window", pre, post))
    registration = quality.registration
    return {
        "usable_fraction": round(float((quality.valid & textured(pre.image)).mean()), 4),
        "coregistration_px": [round(registration.row_px, 4), round(registration.col_px, 4)],
        "noise_px": round(quality.noise_px, 4),
    }


def place_of(bbox: tuple[float, ...], regions: dict[str, Region], fallback: str):
    """``(place, role)`` of a footprint: a test region it meets first, then a train region."""
    met = [r for r in regions.values() if r.meets(bbox)]
    for role in ("test", "train"):
        for region in met:
            if region.role == role:
                return region.name, role
    return fallback, "train"


def write_geotiff(path: Path, image: np.ndarray, crs, transform) -> str:
    """A compressed GeoTIFF written through a temporary file; returns its SHA-256."""
    with atomic_path(path) as temporary:
        profile = {**GEOTIFF, "height": image.shape[0], "width": image.shape[1], "count": 1}
        with rasterio.open(
            temporary, "w", dtype=image.dtype, crs=crs, transform=transform, **profile
        ) as dataset:
            dataset.write(image, 1)
    return sha256_file(path)


def _load_catalog(folder: Path) -> dict:
    path = folder / CATALOG
    if not path.exists():
        return {"scenes": [], "pairs": [], "fetch": {"windows": {}, "pairs_done": []}}
    try:
        return json.loads(path.read_text())
    except ValueError as error:
        raise QuakebenchError(f"{path}: unreadable catalogue ({error})") from None


def _save_catalog(folder: Path, catalog: dict) -> None:
    with atomic_path(folder / CATALOG) as temporary:
        temporary.write_text(json.dumps(catalog, indent=1) + "\n")


def _fetch_pair(pair: dict, config: FetchConfig, regions, catalog: dict, folder: Path) -> None:
    first, second = pair["scenes"]
    decided = catalog["fetch"]["windows"]
    opened = []
    for scene in (first, second):
        try:
            opened.append(rasterio.open(scene["href"]))
        except rasterio.errors.RasterioError as error:
            raise _error(scene["id"], scene["href"], error) from None
    try:
        pixel_m = abs(opened[0].transform.a)
        size = config.window_px(pixel_m)
        prefix = f"{pair['id']}_r"
        kept = sum(1 for key, v in decided.items() if key.startswith(prefix) and v == "kept")
        for r1, c1, r2, c2 in common_windows(*opened, size):
            key = f"{prefix}{r1:05d}c{c1:05d}"
            if kept >= config.windows_per_pair:
                break
            if key in decided:
                continue
            origins = ((r1, c1), (r2, c2))
            images = []
            for dataset, scene, (row, col) in zip(opened, (first, second), origins, strict=True):
                try:
                    images.append(dataset.read(1, window=Window(col, row, size, size)))
                except rasterio.errors.RasterioError as error:
                    raise _error(scene["id"], scene["href"], error) from None
            transform = opened[0].window_transform(Window(c1, r1, size, size))
            crs = opened[0].crs.to_string()
            scenes = [
                Scene(f"{s['id']}_r{r1:05d}c{c1:05d}", image, crs, tuple(transform)[:6], s["date"])
                for s, image in zip((first, second), images, strict=True)
            ]
            quality = window_quality(*scenes)
            if quality["usable_fraction"] < config.min_usable_fraction:
                decided[key] = "refused"
                _save_catalog(folder, catalog)
                continue
            bbox = transform_bounds(
                crs, "EPSG:4326", *rasterio.windows.bounds(Window(0, 0, size, size), transform)
            )
            place, role = place_of(bbox, regions, f"{pair['wrs_path']}{pair['wrs_row']}")
            for scene, source, (row, col) in zip(scenes, (first, second), origins, strict=True):
                file = f"{scene.id}.tif"
                catalog["scenes"].append(
                    {
                        "id": scene.id,
                        "file": file,
                        "sha256": write_geotiff(folder / file, scene.image, crs, transform),
                        "acquired": scene.acquired,
                        "sensor": "Landsat-8 OLI",
                        "band": 8,
                        "pixel_size_m": pixel_m,
                        "path_row": f"{pair['wrs_path']}/{pair['wrs_row']}",
                        "place": place,
                        "role": role,
                        "footprint_lonlat": [round(v, 5) for v in bbox],
                        "source": {
                            "stac_item": source["id"],
                            "href": source["href"],
                            "window_px": [row, col, size],
                        },
                        "license": "USGS Landsat data: public domain",
                    }
                )
            catalog["pairs"].append(
                {"id": key, "pre": scenes[0].id, "post": scenes[1].id, **quality}
            )
            decided[key] = "kept"
            kept += 1
            _save_catalog(folder, catalog)
    finally:
        for dataset in opened:
            dataset.close()


def fetch(config: FetchConfig, progress: bool = True) -> dict:
    """Fetch every candidate pair's windows into ``config.output``; returns the catalogue."""
    candidates = read_candidates(config.candidates)
    regions = read_regions(config.regions)
    folder = Path(config.output)
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.glob(".*.tmp*"):  # a killed run's temporary files: never catalogued
        os.unlink(path)
    catalog = _load_catalog(folder)
    done = set(catalog["fetch"]["pairs_done"])
    with rasterio.Env(**GDAL_OPTIONS):
        pairs = candidates["pairs"][: config.max_pairs]
        for pair in tqdm(pairs, unit="pair", disable=not progress):
            if pair["id"] in done:
                continue
            try:
                _fetch_pair(pair, config, regions, catalog, folder)
            except GridMismatch as error:
                catalog["fetch"]["windows"][pair["id"]] = f"refused: {error}"
            catalog["fetch"]["pairs_done"].append(pair["id"])
            _save_catalog(folder, catalog)
    return catalog
