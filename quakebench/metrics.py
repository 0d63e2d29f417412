"""Benchmark metrics: pure NumPy on arrays, pixels in and pixels out, valid pixels only.

Displacements are ``[2, H, W]`` arrays of (east, north) in pixels; ``valid`` is ``[H, W]``. The
metrics of one sample are computed from additive sufficient statistics
(:class:`ErrorStatistics`), so the aggregate over many samples is the sum of theirs: the mean
over all valid pixels of all samples, never a mean of per-sample means.

* ``mae``: ``mean(|pred - truth|)`` over both components (the seed paper's "mean accuracy");
  ``mae_east``, ``mae_north`` per component; ``epe``: mean end-point error
  ``sqrt(de^2 + dn^2)``; ``rmse``: ``sqrt(mean(de^2 + dn^2) / 2)``, the root mean square over
  both components; ``bias_east``, ``bias_north``: mean signed error ``pred - truth``.
* Near the fault: the same errors in bands of distance ``d`` (pixels) from the rupture trace,
  ``d <= 2``, ``2 < d <= 8``, ``8 < d <= 32``, ``d > 32``, and the profile of ``mae`` against
  ``d``.
* Fault offset: the fault-parallel offset across the trace, measured at ``±OFFSET_DISTANCE_PX``
  on either side at every pixel of arc length along it, from the prediction and from the truth;
  ``fault_offset_bias = sum(predicted) / sum(true) - 1`` (signed, relative: -0.2 means the
  method sees 20 % less offset than there is), ``fault_offset_mae`` in pixels.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage as ndi

BANDS_PX = ((0.0, 2.0), (2.0, 8.0), (8.0, 32.0), (32.0, math.inf))
"""Distance bands ``(low, high]`` from the rupture trace (the first includes 0)."""

PROFILE_EDGES_PX = (0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, math.inf)
"""Bin edges of the error profile against distance to the trace."""

OFFSET_DISTANCE_PX = 8.0
"""Fault offsets are read this far from the trace on either side."""

CHUNK_ROWS = 64
"""Rows of an image the statistics take at a time: a chunk's arrays stay in a core's cache."""


def band_name(low: float, high: float) -> str:
    """``"d<=2"``, ``"2<d<=8"``, ..., ``"d>32"``."""
    if low == 0:
        return f"d<={high:g}"
    return f"d>{low:g}" if math.isinf(high) else f"{low:g}<d<={high:g}"


DISTANCE_BLOCK_PX = 16
"""Side of the pixel blocks in which :func:`distance_to_polyline` prunes far segments."""


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


def distance_to_polyline(
    shape: tuple[int, int],
    polyline_xy: np.ndarray,
    limit_px: float = math.inf,
    rows: tuple[int, int] | None = None,
) -> np.ndarray:
    """Euclidean distance, pixels, from every pixel centre to a polyline, ``[H, W]``.

    Parameters
    ----------
    shape : (int, int)
        ``(H, W)``.
    polyline_xy : numpy.ndarray
        ``[K, 2]`` vertices ``(x = col, y = row)``; ``K = 1`` is a point, ``K = 0`` gives inf.
    limit_px : float
        Distances beyond it are given as inf, and blocks wholly beyond it are not evaluated
        (the metrics' last bins start at a finite distance).
    rows : (int, int), optional
        Only the rows ``start:stop`` of the image: ``[stop - start, W]``.

    Notes
    -----
    Exact, yet not ``K`` passes over the image: in each block of ``DISTANCE_BLOCK_PX`` pixels,
    only the segments whose distance from the block's centre is within the block's diameter
    of the nearest one can be nearest to one of its pixels, and only they are evaluated there.
    """
    first, stop = rows or (0, shape[0])
    height, width = stop - first, shape[1]
    points = np.asarray(polyline_xy, dtype=np.float64).reshape(-1, 2)
    if len(points) == 0:
        return np.full((height, width), np.inf)
    if len(points) == 1:
        points = np.concatenate([points, points])
    block = DISTANCE_BLOCK_PX
    blocks = (-(-height // block), -(-width // block))
    offsets = np.arange(block, dtype=np.float64)
    # [B, 1, 1] block origins and [B, b, b] pixel coordinates, block by block.
    origin_row, origin_col = (g.ravel().astype(np.float64) * block for g in np.indices(blocks))
    origin_row += first
    centre_col, centre_row = origin_col + (block - 1) / 2, origin_row + (block - 1) / 2
    diameter = np.sqrt(2.0) * (block - 1)
    to_centre = np.stack(
        [segment_distance(centre_col, centre_row, a, b) for a, b in itertools.pairwise(points)]
    )
    candidate = to_centre <= to_centre.min(axis=0) + diameter + 1e-6
    candidate &= to_centre - diameter / 2 <= limit_px
    best = np.full((origin_row.size, block, block), np.inf)
    for k, (a, b) in enumerate(itertools.pairwise(points)):
        chosen = np.flatnonzero(candidate[k])
        rows = origin_row[chosen, None, None] + offsets[None, :, None]
        cols = origin_col[chosen, None, None] + offsets[None, None, :]
        distance = segment_distance(cols, rows, a, b)
        if chosen.size == len(best):  # every block: no gathering
            np.minimum(best, distance, out=best)
        else:
            best[chosen] = np.minimum(best[chosen], distance)
    best[best > limit_px] = np.inf
    best = best.reshape(*blocks, block, block).transpose(0, 2, 1, 3)
    return best.reshape(blocks[0] * block, blocks[1] * block)[:height, :width]


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


def fault_offsets(
    displacement_px: np.ndarray,
    valid: np.ndarray,
    polyline_xy: np.ndarray,
    distance_px: float = OFFSET_DISTANCE_PX,
) -> tuple[np.ndarray, np.ndarray]:
    """Fault-parallel offset across the trace at each pixel of arc length along it.

    The displacement is sampled bilinearly at ``distance_px`` on either side, along the normal
    of the trace; the offset is their difference projected on the trace's direction.

    Returns
    -------
    offsets : numpy.ndarray
        ``[M]`` offsets, pixels, where both sides lie inside the tile on valid pixels.
    keep : numpy.ndarray
        ``bool [P]`` which of the resampled trace points they belong to.
    """
    points, tangent = resample_polyline(polyline_xy)
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    height, width = valid.shape
    sides = [points + sign * distance_px * normal for sign in (1.0, -1.0)]
    keep = np.ones(len(points), bool)
    for side in sides:
        inside = (side[:, 0] >= 0) & (side[:, 0] <= width - 1)
        inside &= (side[:, 1] >= 0) & (side[:, 1] <= height - 1)
        keep &= inside
        rows, cols = np.rint(side[inside, 1]).astype(int), np.rint(side[inside, 0]).astype(int)
        keep[np.flatnonzero(inside)[~valid[rows, cols].astype(bool)]] = False
    values = [
        np.stack(
            [
                ndi.map_coordinates(c, [side[keep, 1], side[keep, 0]], order=1, output=np.float64)
                for c in displacement_px
            ]
        )
        for side in sides
    ]
    # Tangent in (east, north): pixel x is east, pixel y is south.
    along = np.stack([tangent[keep, 0], -tangent[keep, 1]])
    return np.sum((values[0] - values[1]) * along, axis=0), keep


@dataclass
class Sums:
    """Additive sums of errors over a set of pixels."""

    count: int = 0
    abs_east: float = 0.0
    abs_north: float = 0.0
    east: float = 0.0
    north: float = 0.0
    squared: float = 0.0
    end_point: float = 0.0

    def __add__(self, other: Sums) -> Sums:
        pairs = zip(dataclasses.astuple(self), dataclasses.astuple(other), strict=True)
        return Sums(*(a + b for a, b in pairs))

    def metrics(self) -> dict[str, float]:
        """The headline metrics: mae, mae_east, mae_north, epe, rmse, bias_east, bias_north."""
        n = self.count
        if n == 0:
            return dict.fromkeys(
                ("mae", "mae_east", "mae_north", "epe", "rmse", "bias_east", "bias_north"), math.nan
            )
        return {
            "mae": (self.abs_east + self.abs_north) / (2 * n),
            "mae_east": self.abs_east / n,
            "mae_north": self.abs_north / n,
            "epe": self.end_point / n,
            "rmse": math.sqrt(self.squared / (2 * n)),
            "bias_east": self.east / n,
            "bias_north": self.north / n,
        }


SUMMED = tuple(f.name for f in dataclasses.fields(Sums) if f.name != "count")
"""The error sums of :class:`Sums` besides the count."""


@dataclass
class ErrorStatistics:
    """Sufficient statistics of a prediction's errors: add them up across samples."""

    total: Sums = field(default_factory=Sums)
    bands: list[Sums] = field(default_factory=lambda: [Sums() for _ in BANDS_PX])
    profile: list[Sums] = field(default_factory=lambda: [Sums() for _ in PROFILE_EDGES_PX[1:]])
    offset_predicted: float = 0.0
    offset_true: float = 0.0
    offset_abs_error: float = 0.0
    offset_count: int = 0

    def __add__(self, other: ErrorStatistics) -> ErrorStatistics:
        return ErrorStatistics(
            total=self.total + other.total,
            bands=[a + b for a, b in zip(self.bands, other.bands, strict=True)],
            profile=[a + b for a, b in zip(self.profile, other.profile, strict=True)],
            offset_predicted=self.offset_predicted + other.offset_predicted,
            offset_true=self.offset_true + other.offset_true,
            offset_abs_error=self.offset_abs_error + other.offset_abs_error,
            offset_count=self.offset_count + other.offset_count,
        )

    def record(self) -> dict:
        """The sums as plain JSON values: what a results file keeps of each sample."""
        return {
            "total": dataclasses.asdict(self.total),
            "bands": {
                band_name(*band): dataclasses.asdict(sums)
                for band, sums in zip(BANDS_PX, self.bands, strict=True)
            },
            "profile": [dataclasses.asdict(sums) for sums in self.profile],
            "offset": {
                "predicted": self.offset_predicted,
                "true": self.offset_true,
                "abs_error": self.offset_abs_error,
                "count": self.offset_count,
            },
        }

    @classmethod
    def from_record(cls, record: dict) -> ErrorStatistics:
        """The statistics of :meth:`record`'s output (its layout checked by the caller)."""
        offset = record["offset"]
        return cls(
            total=Sums(**record["total"]),
            bands=[Sums(**record["bands"][band_name(*band)]) for band in BANDS_PX],
            profile=[Sums(**sums) for sums in record["profile"]],
            offset_predicted=offset["predicted"],
            offset_true=offset["true"],
            offset_abs_error=offset["abs_error"],
            offset_count=offset["count"],
        )

    def metrics(self) -> dict:
        """Every metric: the totals, by band, the profile, and the fault offset."""
        out = self.total.metrics()
        out["bands"] = {
            band_name(*band): {**sums.metrics(), "count": sums.count}
            for band, sums in zip(BANDS_PX, self.bands, strict=True)
        }
        out["profile"] = {
            "edges_px": [float(e) for e in PROFILE_EDGES_PX],
            "mae": [sums.metrics()["mae"] for sums in self.profile],
            "count": [sums.count for sums in self.profile],
        }
        has_offset = self.offset_count and self.offset_true != 0
        out["fault_offset_bias"] = (
            self.offset_predicted / self.offset_true - 1 if has_offset else math.nan
        )
        out["fault_offset_mae"] = (
            self.offset_abs_error / self.offset_count if self.offset_count else math.nan
        )
        return out


def _pair_table(has_trace: bool) -> np.ndarray:
    """The (band, profile bin) cell of a distance ``d``, looked up at ``2 * floor(d) + (d is
    not whole)`` for ``d`` clipped to one past the last finite profile edge.

    Every edge is a whole number of pixels, so the two halves of the index decide exactly
    what ``d <= high`` (bands) and ``low <= d`` (profile bins) do; inf (beyond the last
    edge) is the last bin where there is a trace, the column of its own where there is none.
    """
    last = int(PROFILE_EDGES_PX[-2])
    index = np.arange(2 * (last + 2))
    whole, fraction = index // 2, index % 2
    bins = len(PROFILE_EDGES_PX) - 1
    profile_bin = np.searchsorted(PROFILE_EDGES_PX, whole, side="right") - 1
    if not has_trace:
        profile_bin[whole > last] = bins
    band = np.searchsorted([high for _, high in BANDS_PX], whole + fraction, side="left")
    return band * (bins + 1) + profile_bin


_PAIR_TABLES = {has_trace: _pair_table(has_trace) for has_trace in (True, False)}


def error_statistics(
    predicted: np.ndarray,
    truth: np.ndarray,
    valid: np.ndarray,
    rupture_xy: np.ndarray,
) -> ErrorStatistics:
    """The error statistics of one sample.

    Parameters
    ----------
    predicted, truth : numpy.ndarray
        ``[2, H, W]`` displacement (east, north), pixels.
    valid : numpy.ndarray
        ``[H, W]``, nonzero where the truth holds.
    rupture_xy : numpy.ndarray
        ``[K, 2]`` surface trace, ``(x = col, y = row)``.
    """
    valid = np.asarray(valid).astype(bool)
    truth = np.asarray(truth)
    has_trace = len(np.asarray(rupture_xy).reshape(-1, 2)) > 0
    bins = len(PROFILE_EDGES_PX) - 1
    # Sums by (band, profile bin); column `bins` holds what no profile bin does (every pixel,
    # where there is no trace). Rows are taken a chunk at a time: bounded memory, warm caches.
    shape = (len(BANDS_PX), bins + 1)
    by_pair = {name: np.zeros(shape) for name in SUMMED}
    counts = np.zeros(shape, dtype=np.int64)
    for start in range(0, valid.shape[0], CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, valid.shape[0])
        chunk = valid[start:stop]
        pick = slice(None) if chunk.all() else np.flatnonzero(chunk)

        def values(
            image: np.ndarray, start: int = start, stop: int = stop, pick=pick
        ) -> np.ndarray:
            return image[start:stop].reshape(-1)[pick]

        d_east = np.subtract(values(predicted[0]), values(truth[0]), dtype=np.float64)
        d_north = np.subtract(values(predicted[1]), values(truth[1]), dtype=np.float64)
        # Beyond the last finite profile edge every pixel falls in the last bins.
        distance = distance_to_polyline(
            valid.shape, rupture_xy, PROFILE_EDGES_PX[-2], rows=(start, stop)
        ).reshape(-1)[pick]
        np.minimum(distance, PROFILE_EDGES_PX[-2] + 1, out=distance)
        whole = distance.astype(np.intp)  # floor: distances are not negative
        index = whole + whole
        index += distance > whole
        pair = _PAIR_TABLES[has_trace][index]
        squared = d_east * d_east + d_north * d_north
        columns = {
            "abs_east": np.abs(d_east),
            "abs_north": np.abs(d_north),
            "east": d_east,
            "north": d_north,
            "squared": squared,
            "end_point": np.sqrt(squared),
        }
        for name, weights in columns.items():
            by_pair[name] += np.bincount(pair, weights, counts.size).reshape(shape)
        counts += np.bincount(pair, minlength=counts.size).reshape(shape)

    def sums(axis: int, index: int) -> Sums:
        def take(table: np.ndarray) -> np.ndarray:
            return table.sum(axis=axis)[index]

        values = {name: float(take(table)) for name, table in by_pair.items()}
        return Sums(count=int(take(counts)), **values)

    bands = [sums(1, k) for k in range(len(BANDS_PX))]
    profile = [sums(0, k) for k in range(bins)]
    total = Sums(
        count=int(counts.sum()), **{name: float(table.sum()) for name, table in by_pair.items()}
    )

    true_offsets, keep = fault_offsets(truth, valid, rupture_xy)
    predicted_offsets, _ = fault_offsets(predicted, valid, rupture_xy)
    sign = 1.0 if true_offsets.sum() >= 0 else -1.0
    return ErrorStatistics(
        total=total,
        bands=bands,
        profile=profile,
        offset_predicted=float(sign * predicted_offsets.sum()),
        offset_true=float(sign * true_offsets.sum()),
        offset_abs_error=float(np.abs(predicted_offsets - true_offsets).sum()),
        offset_count=int(keep.sum()),
    )


def mae(predicted: np.ndarray, truth: np.ndarray, valid: np.ndarray) -> float:
    """Mean absolute error over both components and the valid pixels, pixels."""
    valid = np.asarray(valid).astype(bool)
    error = np.abs(np.asarray(predicted, np.float64) - np.asarray(truth, np.float64))
    return float(error[:, valid].mean())
