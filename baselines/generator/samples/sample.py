"""One benchmark sample: a real image crop, a simulated earthquake, and the warped second image.

Sample ``index`` of split ``split`` is a pure function of ``(dataset, seed, split, index, size,
library, floor)``, drawn from three random streams:

* the **earthquake**, from ``(seed, split, index)``: shared by both datasets;
* the **source** (a place of the split's role), from ``(seed, split, index, dataset)``:
  ``postwarped`` draws two-date pairs only, ``prewarped`` every place (a pair's first date, or
  a single scene);
* the **crop** and its orientation, from ``(seed, split, index, source, attempt)``: redrawn until
  at least ``floor`` of the crop is usable (valid and textured), so where both datasets draw the
  same pair they share the crop, the first image and the field.

* ``prewarped``: post = date 1 warped; every pixel with signal is valid.
* ``postwarped``: post = date 2 warped, after removing the pair's global co-registration
  offset in the same resampling; valid where the real pair is stable (:mod:`validity`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from baselines.generator.earthquake.simulate import simulate
from baselines.generator.samples.patches import (
    ORIENTATIONS,
    crop_origin,
    crop_transform,
    orient,
    orient_vector,
)
from baselines.imagery.scenes import Scene, ScenePair
from baselines.imagery.validity import pair_quality, textured
from baselines.imagery.warp import warp
from quakebench.contract import DATASETS, SCENARIO_FIELDS, SPLITS, role_of, sample_id
from quakebench.errors import QuakebenchError

WARP_MARGIN_PX = 24
"""Extra source pixels around each tile for warping (displacements stay well below this)."""

MAX_ATTEMPTS = 100
"""Crops tried before a place is declared unable to give a sample above the floor."""

_EARTHQUAKE, _SOURCE, _CROP = 0, 1, 2


@dataclass(frozen=True)
class Source:
    """A scene (or pair) that samples are cropped from.

    Attributes
    ----------
    id : str
        The pair's or scene's id.
    pre : Scene
        Date 1.
    post : Scene or None
        Date 2 (pairs only).
    valid : numpy.ndarray
        ``bool [H, W]``: where a pair is stable, or where a single scene has signal.
    usable : numpy.ndarray
        ``bool [H, W]``: valid and textured, what the crop floor counts.
    offset_rc_px : numpy.ndarray
        ``(row, col)`` shift registering date 2 onto date 1 (scikit-image's convention).
    noise_px : float or None
        A pair's robust noise of the real displacement on its stable area, pixels; None for a
        single scene.
    """

    id: str
    pre: Scene
    post: Scene | None
    valid: np.ndarray
    usable: np.ndarray
    offset_rc_px: np.ndarray
    noise_px: float | None = None

    @property
    def place(self) -> str:
        return self.pre.place

    @property
    def role(self) -> str:
        return self.pre.role

    def largest_tile(self) -> int:
        """The largest tile side this source can host, pixels."""
        return min(self.pre.image.shape) - 2 * WARP_MARGIN_PX


def pair_source(pair: ScenePair) -> Source:
    """A two-date source with its validity mask (stable, not moving) and co-registration."""
    quality = pair_quality(pair)
    registration = quality.registration
    offset = np.nan_to_num(np.array([registration.row_px, registration.col_px]))
    usable = quality.valid & textured(pair.pre.image)
    return Source(pair.id, pair.pre, pair.post, quality.valid, usable, offset, quality.noise_px)


def scene_source(scene: Scene) -> Source:
    """A single-date source (``prewarped`` only): valid wherever the image has signal."""
    valid = np.asarray(scene.image) > 0
    return Source(scene.id, scene, None, valid, valid & textured(scene.image), np.zeros(2))


def _rng(seed: int, split: str, index: int, *more: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, SPLITS.index(split), index, *more]))


def _code(name: str) -> int:
    """A stable integer for a name, to key a random stream (Python's hash() is salted)."""
    return zlib.crc32(name.encode())


def candidates(dataset: str, split: str, size: int, library: list[Source]) -> list[Source]:
    """The sources a split of a dataset may draw for tiles of ``size`` pixels.

    Raises
    ------
    QuakebenchError
        If none can host the tile (naming the largest tile allowed).
    """
    role = role_of(split)
    usable = [s for s in library if s.role == role and (dataset == "prewarped" or s.post)]
    if not usable:
        raise QuakebenchError(f"{dataset}: no place of role {role} in the scene catalogue")
    hosting = [s for s in usable if s.largest_tile() >= size]
    if not hosting:
        largest = max(s.largest_tile() for s in usable)
        raise QuakebenchError(
            f"size {size} px: no {role} place can host it; the largest tile allowed is {largest} px"
        )
    return hosting


def first_crop_above_floor(
    source: Source, size: int, floor: float, draws: Iterable[np.random.Generator]
) -> tuple[int, int, int] | None:
    """The first crop drawn (one per generator) whose valid, textured fraction reaches the
    floor: its top-left corner (with the warp margin) and orientation; None if none does."""
    side = size + 2 * WARP_MARGIN_PX
    inner = slice(WARP_MARGIN_PX, WARP_MARGIN_PX + size)
    for rng in draws:
        row, col = crop_origin(source.pre.image.shape, side, rng)
        orientation = int(rng.integers(ORIENTATIONS))
        if source.usable[row : row + side, col : col + side][inner, inner].mean() >= floor:
            return row, col, orientation
    return None


def place_crop(
    source: Source, size: int, floor: float, seed: int, split: str, index: int
) -> tuple[int, int, int]:
    """Top-left corner (with the warp margin) and orientation of a crop above the floor.

    Each attempt draws from ``(seed, split, index, source, attempt)``.

    Raises
    ------
    QuakebenchError
        If ``MAX_ATTEMPTS`` crops all fall below the floor (naming the place).
    """
    draws = (_rng(seed, split, index, _CROP, _code(source.id), k) for k in range(MAX_ATTEMPTS))
    found = first_crop_above_floor(source, size, floor, draws)
    if found is not None:
        return found
    raise QuakebenchError(
        f"place {source.place} ({source.id}): no {size} px crop of {MAX_ATTEMPTS} tried has "
        f"{floor:.0%} valid, textured pixels; lower min_valid_fraction or drop the place"
    )


def make_sample(
    dataset: str,
    seed: int,
    split: str,
    index: int,
    size: int,
    library: list[Source],
    floor: float = 0.5,
) -> dict:
    """Render sample ``index`` of ``split`` of ``dataset`` as a dict of the contract's fields.

    Parameters
    ----------
    dataset : {"prewarped", "postwarped"}
    seed : int
        The build's seed.
    split : {"train", "validation", "test"}
    index : int
        Sample index within the split's numbering (train and validation share one).
    size : int
        Tile side, pixels.
    library : list of Source
        Scenes to crop from.
    floor : float
        Smallest fraction of valid, textured pixels of the crop.
    """
    if dataset not in DATASETS:
        raise QuakebenchError(f"dataset must be one of {', '.join(DATASETS)}, got {dataset!r}")
    earthquake_seed = int(_rng(seed, split, index, _EARTHQUAKE).integers(2**31))
    sources = candidates(dataset, split, size, library)
    pick = _rng(seed, split, index, _SOURCE, DATASETS.index(dataset)).integers(len(sources))
    source = sources[int(pick)]
    row, col, orientation = place_crop(source, size, floor, seed, split, index)

    pixel_size_m = source.pre.pixel_size_m
    simulation = simulate(earthquake_seed, size, pixel_size_m)
    displacement = simulation.displacement_px
    pair = render_pair(dataset, source, (row, col), orientation, displacement)
    second_scene = source.pre if dataset == "prewarped" else source.post
    shift_rc = pair.shift_rc

    scenario = simulation.scenario
    transform = crop_transform(source.pre.transform, row + WARP_MARGIN_PX, col + WARP_MARGIN_PX)
    return {
        "id": sample_id(dataset, index, split),
        "dataset": dataset,
        "split": split,
        "index": index,
        "pre": pair.pre,
        "post": pair.post,
        "displacement": displacement,
        "valid": pair.valid,
        "rupture": simulation.rupture_px,
        "seed": earthquake_seed,
        **{name: scenario[name] for name in SCENARIO_FIELDS},
        "place": source.place,
        "role": source.role,
        "pre_scene": source.pre.id,
        "post_scene": second_scene.id,
        "pre_date": source.pre.acquired or "",
        "post_date": second_scene.acquired or "",
        "crop_row": row + WARP_MARGIN_PX,
        "crop_col": col + WARP_MARGIN_PX,
        "orientation": orientation,
        "crs": source.pre.crs,
        "geotransform": list(transform),
        "pixel_size_m": pixel_size_m,
        "coregistration_row_px": float(shift_rc[0]),
        "coregistration_col_px": float(shift_rc[1]),
    }


@dataclass(frozen=True)
class RenderedPair:
    """The images of a sample: ``pre`` (the crop, as stored), ``post`` (``float32``), ``valid``
    (``uint8``), and the co-registration shift ``(row, col)`` on the oriented grid."""

    pre: np.ndarray
    post: np.ndarray
    valid: np.ndarray
    shift_rc: np.ndarray


def render_pair(
    dataset: str,
    source: Source,
    origin: tuple[int, int],
    orientation: int,
    displacement_px: np.ndarray,
) -> RenderedPair:
    """Warp a crop of a source by a displacement field: the pair of a sample.

    Parameters
    ----------
    dataset : {"prewarped", "postwarped"}
        ``prewarped`` warps the first date itself; ``postwarped`` the second, co-registered.
    source : Source
    origin : (int, int)
        Top-left corner of the crop with its warp margin (``WARP_MARGIN_PX`` each side).
    orientation : int
        One of the 8 orientations of the square, applied to the crop.
    displacement_px : numpy.ndarray
        ``[2, S, S]`` (east, north), pixels, on the oriented tile.
    """
    size = displacement_px.shape[1]
    side = size + 2 * WARP_MARGIN_PX
    window = (slice(origin[0], origin[0] + side), slice(origin[1], origin[1] + side))
    inner = (slice(WARP_MARGIN_PX, -WARP_MARGIN_PX),) * 2
    pre = orient(source.pre.image[window], orientation)
    if dataset == "prewarped":
        second_scene, shift_rc = source.pre, np.zeros(2)
        valid_source = orient(np.asarray(source.pre.image[window]) > 0, orientation)
    else:
        second_scene = source.post
        shift_rc = orient_vector(source.offset_rc_px, orientation)
        valid_source = orient(source.valid[window], orientation)
    second = orient(second_scene.image[window], orientation)
    # post(q) = date2(q - u(q) - shift): the co-registration shift joins the displacement.
    effective = displacement_px + np.array([shift_rc[1], -shift_rc[0]])[:, None, None]
    post = warp(second, effective, WARP_MARGIN_PX)
    valid = valid_source[inner] & sample_nearest(valid_source, effective, WARP_MARGIN_PX)
    return RenderedPair(np.ascontiguousarray(pre[inner]), post, valid.astype(np.uint8), shift_rc)


def sample_nearest(mask: np.ndarray, displacement_px: np.ndarray, margin: int) -> np.ndarray:
    """``mask`` (with a margin) at the pixel nearest to ``q - u(q)`` for each tile pixel ``q``."""
    size = displacement_px.shape[1]
    rows, cols = np.mgrid[0:size, 0:size]
    source_rows = np.rint(rows + margin + displacement_px[1]).astype(int)
    source_cols = np.rint(cols + margin - displacement_px[0]).astype(int)
    return mask[source_rows, source_cols]
