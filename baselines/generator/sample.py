"""One benchmark sample: a real image crop, a simulated earthquake, and the warped second image.

Sample ``index`` of a build with seed ``seed`` is a pure function of ``(dataset, seed, index,
size, library)``. The crop, the orientation and the earthquake depend on ``(seed, index)``
only, so sample ``index`` of ``prewarped`` and of ``postwarped`` share the first image and the
displacement field and differ in the second image (and its validity mask):

* ``prewarped``: post = date 1 warped; every pixel with signal is valid.
* ``postwarped``: post = date 2 warped, after removing the pair's global co-registration
  offset in the same resampling; valid where the real pair is stable (:mod:`validity`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baselines.generator.patches import (
    ORIENTATIONS,
    crop_origin,
    crop_transform,
    orient,
    orient_vector,
)
from baselines.generator.scenes import Scene, ScenePair
from baselines.generator.simulate import simulate
from baselines.generator.validity import pair_report
from baselines.generator.warp import warp
from quakebench.contract import DATASETS, SCENARIO_FIELDS, sample_id, split_of

WARP_MARGIN_PX = 24
"""Extra source pixels around each tile for warping (displacements stay well below this)."""


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
    offset_rc_px : numpy.ndarray
        ``(row, col)`` shift registering date 2 onto date 1 (scikit-image's convention).
    """

    id: str
    pre: Scene
    post: Scene | None
    valid: np.ndarray
    offset_rc_px: np.ndarray


def pair_source(pair: ScenePair) -> Source:
    """A two-date source with its validity mask and measured co-registration."""
    valid, registration = pair_report(pair)
    offset = np.array([registration.row_px, registration.col_px])
    return Source(pair.id, pair.pre, pair.post, valid, np.nan_to_num(offset))


def scene_source(scene: Scene) -> Source:
    """A single-date source (``prewarped`` only): valid wherever the image has signal."""
    return Source(scene.id, scene, None, np.asarray(scene.image) > 0, np.zeros(2))


def sample_rng(seed: int, index: int) -> np.random.Generator:
    """The random stream of sample ``index`` (shared by both datasets)."""
    return np.random.default_rng(np.random.SeedSequence([seed, index]))


def make_sample(dataset: str, seed: int, index: int, size: int, library: list[Source]) -> dict:
    """Render sample ``index`` of ``dataset`` as a dict of the data contract's fields.

    Parameters
    ----------
    dataset : {"prewarped", "postwarped"}
    seed : int
        The build's seed.
    index : int
        Sample index (its split follows from it).
    size : int
        Tile side, pixels.
    library : list of Source
        Scenes to crop from; ``postwarped`` needs two-date sources.
    """
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}, got {dataset!r}")
    rng = sample_rng(seed, index)
    source = library[int(rng.integers(len(library)))]
    side = size + 2 * WARP_MARGIN_PX
    row, col = crop_origin(source.pre.image.shape, side, rng)
    orientation = int(rng.integers(ORIENTATIONS))
    earthquake_seed = int(rng.integers(2**31))
    window = (slice(row, row + side), slice(col, col + side))
    inner = (slice(WARP_MARGIN_PX, -WARP_MARGIN_PX),) * 2

    pixel_size_m = source.pre.pixel_size_m
    simulation = simulate(earthquake_seed, size, pixel_size_m)
    displacement = simulation.displacement_px
    pre = orient(source.pre.image[window], orientation)
    if dataset == "prewarped":
        second_scene, shift_rc = source.pre, np.zeros(2)
        valid_source = orient(np.asarray(source.pre.image[window]) > 0, orientation)
    else:
        if source.post is None:
            raise ValueError(f"source {source.id} has no second date for postwarped")
        second_scene = source.post
        shift_rc = orient_vector(source.offset_rc_px, orientation)
        valid_source = orient(source.valid[window], orientation)
    second = orient(second_scene.image[window], orientation)
    # post(q) = date2(q - u(q) - shift): the co-registration shift joins the displacement.
    effective = displacement + np.array([shift_rc[1], -shift_rc[0]])[:, None, None]
    post = warp(second, effective, WARP_MARGIN_PX)
    valid = valid_source[inner] & sample_nearest(valid_source, effective, WARP_MARGIN_PX)

    scenario = simulation.scenario
    transform = crop_transform(source.pre.transform, row + WARP_MARGIN_PX, col + WARP_MARGIN_PX)
    return {
        "id": sample_id(dataset, index),
        "dataset": dataset,
        "split": split_of(index),
        "index": index,
        "pre": np.ascontiguousarray(pre[inner]),
        "post": post,
        "displacement": displacement,
        "valid": valid.astype(np.uint8),
        "rupture": simulation.rupture_px,
        "seed": earthquake_seed,
        **{name: scenario[name] for name in SCENARIO_FIELDS},
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


def sample_nearest(mask: np.ndarray, displacement_px: np.ndarray, margin: int) -> np.ndarray:
    """``mask`` (with a margin) at the pixel nearest to ``q - u(q)`` for each tile pixel ``q``."""
    size = displacement_px.shape[1]
    rows, cols = np.mgrid[0:size, 0:size]
    source_rows = np.rint(rows + margin + displacement_px[1]).astype(int)
    source_cols = np.rint(cols + margin - displacement_px[0]).astype(int)
    return mask[source_rows, source_cols]
