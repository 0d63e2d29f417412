"""Geometry of a rupture trace on the pixel grid: signed distances, resampling, direction.

A trace is a polyline of ``[K, 2]`` vertices ``(x = col, y = row)`` in pixel coordinates, as a
sample's ``rupture`` field stores it. The generator shapes its fault zones with
:func:`signed_distance_to_polyline` and the metrics bin their errors and profiles with it, so
the truth and the metric measure the same distance.

The sign: positive on the right of the trace as seen on a north-up map, walking along it in
the order of its vertices (``x`` east, ``y`` south). The generator orders a trace along strike,
so its positive side is the hanging wall's, the side the fault dips to.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

DISTANCE_BLOCK_PX = 16
"""Side of the pixel blocks in which :func:`signed_distance_to_polyline` prunes far segments."""


def segment_distance(
    cols: np.ndarray, rows: np.ndarray, start: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """Distance from points to the segment ``start``-``end`` (``(x, y)``), pixels.

    ``cols`` and ``rows`` broadcast against each other (a row and a column of a grid need not
    be expanded); the work on the full grid is done in place.
    """
    (x0, y0), (x1, y1) = start, end
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    east, south = cols - x0, rows - y0
    if length2 == 0:
        return np.sqrt(east * east + south * south)
    t = east * dx + south * dy
    t /= length2
    np.clip(t, 0.0, 1.0, out=t)
    across = t * dx
    np.subtract(east, across, out=across)
    across *= across
    along = np.multiply(t, dy, out=t)
    np.subtract(south, along, out=along)
    along *= along
    across += along
    return np.sqrt(across, out=across)


def _polyline_points(polyline_xy: np.ndarray) -> np.ndarray:
    """``[K, 2]`` float64 vertices, a lone point doubled into a segment of zero length."""
    points = np.asarray(polyline_xy, dtype=np.float64).reshape(-1, 2)
    return np.concatenate([points, points]) if len(points) == 1 else points


def _nearest_in_blocks(
    shape: tuple[int, int], points: np.ndarray, limit_px: float, rows: tuple[int, int] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, tuple[int, int]]:
    """Signed distances block by block, for the blocks that can hold a pixel within the limit.

    Returns the blocks' indices ``[A]`` among all ``[B]`` of the grid, their origins' rows and
    columns, the signed distances ``[A, b, b]`` (``+inf`` beyond the limit) and the grid of
    blocks ``(rows, columns)``.
    """
    first, stop = rows or (0, shape[0])
    height, width = stop - first, shape[1]
    block = DISTANCE_BLOCK_PX
    blocks = (-(-height // block), -(-width // block))
    offsets = np.arange(block, dtype=np.float64)
    origin_row, origin_col = (g.ravel().astype(np.float64) * block for g in np.indices(blocks))
    origin_row += first
    centre_col, centre_row = origin_col + (block - 1) / 2, origin_row + (block - 1) / 2
    diameter = np.sqrt(2.0) * (block - 1)
    to_centre = np.stack(
        [segment_distance(centre_col, centre_row, a, b) for a, b in itertools.pairwise(points)]
    )
    candidate = to_centre <= to_centre.min(axis=0) + diameter + 1e-6
    candidate &= to_centre - diameter / 2 <= limit_px
    active = np.flatnonzero(candidate.any(axis=0))
    candidate = candidate[:, active]
    origin_row, origin_col = origin_row[active], origin_col[active]
    best = np.full((active.size, block, block), np.inf)
    side = np.ones_like(best)
    for k, (a, b) in enumerate(itertools.pairwise(points)):
        chosen = np.flatnonzero(candidate[k])
        if chosen.size == 0:
            continue
        rows_k = origin_row[chosen, None, None] + offsets[None, :, None]
        cols_k = origin_col[chosen, None, None] + offsets[None, None, :]
        distance = segment_distance(cols_k, rows_k, a, b)
        # The cross product of the segment's direction with the pixel's offset from its start.
        cross = (b[0] - a[0]) * (rows_k - a[1]) - (b[1] - a[1]) * (cols_k - a[0])
        if chosen.size == active.size:  # every block: no gathering
            nearer = distance < best
            np.copyto(best, distance, where=nearer)
            np.copyto(side, np.where(cross < 0, -1.0, 1.0), where=nearer)
        else:
            nearer = distance < best[chosen]
            best[chosen] = np.where(nearer, distance, best[chosen])
            side[chosen] = np.where(nearer, np.where(cross < 0, -1.0, 1.0), side[chosen])
    beyond = best > limit_px
    best *= side
    best[beyond] = np.inf
    return active, origin_row, origin_col, best, blocks


def signed_distance_to_polyline(
    shape: tuple[int, int],
    polyline_xy: np.ndarray,
    limit_px: float = math.inf,
    rows: tuple[int, int] | None = None,
) -> np.ndarray:
    """Signed Euclidean distance, pixels, from every pixel centre to a polyline, ``[H, W]``.

    Parameters
    ----------
    shape : (int, int)
        ``(H, W)``.
    polyline_xy : numpy.ndarray
        ``[K, 2]`` vertices ``(x = col, y = row)``; ``K = 1`` is a point, ``K = 0`` gives inf.
    limit_px : float
        Distances beyond it are given as ``+inf`` (whatever the side), and blocks wholly
        beyond it are not evaluated.
    rows : (int, int), optional
        Only the rows ``start:stop`` of the image: ``[stop - start, W]``.

    Returns
    -------
    numpy.ndarray
        ``float64``: the distance to the nearest segment, positive right of the trace (see the
        module's doc). The sign is that of the nearest segment's line; where two segments are
        equally near (the pixel faces their shared vertex), the first one's.

    Notes
    -----
    Exact, yet not ``K`` passes over the image: in each block of ``DISTANCE_BLOCK_PX`` pixels,
    only the segments whose distance from the block's centre is within the block's diameter
    of the nearest one can be nearest to one of its pixels, and only they are evaluated there.
    """
    first, stop = rows or (0, shape[0])
    height, width = stop - first, shape[1]
    points = _polyline_points(polyline_xy)
    if len(points) == 0:
        return np.full((height, width), np.inf)
    active, _, _, signed, blocks = _nearest_in_blocks(shape, points, limit_px, rows)
    block = DISTANCE_BLOCK_PX
    every = np.full((blocks[0] * blocks[1], block, block), np.inf)
    every[active] = signed
    every = every.reshape(*blocks, block, block).transpose(0, 2, 1, 3)
    return every.reshape(blocks[0] * block, blocks[1] * block)[:height, :width]


def pixels_near_polyline(
    shape: tuple[int, int], polyline_xy: np.ndarray, within_px: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pixels closer than ``within_px`` to a polyline: ``(rows, cols, signed distance)``,
    as :func:`signed_distance_to_polyline` gives them, without a pass over the whole image."""
    points = _polyline_points(polyline_xy)
    if len(points) == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp), np.empty(0)
    _, origin_row, origin_col, signed, _ = _nearest_in_blocks(shape, points, within_px, None)
    index, row, col = np.nonzero(np.abs(signed) < within_px)
    rows = origin_row[index].astype(np.intp) + row
    cols = origin_col[index].astype(np.intp) + col
    inside = (rows < shape[0]) & (cols < shape[1])
    return rows[inside], cols[inside], signed[index, row, col][inside]


def resample_polyline(
    polyline_xy: np.ndarray, step_px: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Points every ``step_px`` of arc length along a polyline, and the unit tangent there."""
    points = np.asarray(polyline_xy, dtype=np.float64).reshape(-1, 2)
    segments = np.diff(points, axis=0)
    lengths = np.hypot(segments[:, 0], segments[:, 1])
    keep = lengths > 0
    points = np.concatenate([points[:1], points[1:][keep]])
    segments, lengths = segments[keep], lengths[keep]
    if len(lengths) == 0:
        return np.empty((0, 2)), np.empty((0, 2))
    arc = np.concatenate([[0.0], np.cumsum(lengths)])
    s = np.arange(0.0, arc[-1], step_px)
    index = np.clip(np.searchsorted(arc, s, side="right") - 1, 0, len(lengths) - 1)
    tangent = segments[index] / lengths[index, None]
    return points[index] + (s - arc[index])[:, None] * tangent, tangent


def trace_direction_en(polyline_xy: np.ndarray) -> np.ndarray | None:
    """Unit vector ``(east, north)`` from a trace's first vertex to its last; None if they meet.

    Over a tile a rupture trace departs from its chord by a fraction of a percent of its
    length, so this is the fault-parallel direction of the whole sample.
    """
    points = np.asarray(polyline_xy, dtype=np.float64).reshape(-1, 2)
    if len(points) < 2:
        return None
    dx, dy = points[-1] - points[0]
    length = math.hypot(dx, dy)
    return None if length == 0 else np.array([dx / length, -dy / length])
