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


def band_name(low: float, high: float) -> str:
    """``"d<=2"``, ``"2<d<=8"``, ..., ``"d>32"``."""
    if low == 0:
        return f"d<={high:g}"
    return f"d>{low:g}" if math.isinf(high) else f"{low:g}<d<={high:g}"


def distance_to_polyline(shape: tuple[int, int], polyline_xy: np.ndarray) -> np.ndarray:
    """Euclidean distance, pixels, from every pixel centre to a polyline, ``[H, W]``.

    Parameters
    ----------
    shape : (int, int)
        ``(H, W)``.
    polyline_xy : numpy.ndarray
        ``[K, 2]`` vertices ``(x = col, y = row)``; ``K = 1`` is a point, ``K = 0`` gives inf.
    """
    rows, cols = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float64)
    best = np.full(shape, np.inf)
    points = np.asarray(polyline_xy, dtype=np.float64).reshape(-1, 2)
    if len(points) == 1:
        return np.hypot(cols - points[0, 0], rows - points[0, 1])
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        dx, dy = x1 - x0, y1 - y0
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else np.clip(((cols - x0) * dx + (rows - y0) * dy) / length2, 0, 1)
        np.minimum(best, np.hypot(cols - (x0 + t * dx), rows - (y0 + t * dy)), out=best)
    return best


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
                ndi.map_coordinates(c, [side[keep, 1], side[keep, 0]], order=1)
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

    @classmethod
    def of(cls, d_east: np.ndarray, d_north: np.ndarray) -> Sums:
        """Sums of the errors ``d_east``, ``d_north`` (1-D, valid pixels)."""
        d_east, d_north = d_east.astype(np.float64), d_north.astype(np.float64)
        return cls(
            count=int(d_east.size),
            abs_east=float(np.abs(d_east).sum()),
            abs_north=float(np.abs(d_north).sum()),
            east=float(d_east.sum()),
            north=float(d_north.sum()),
            squared=float(np.sum(d_east**2 + d_north**2)),
            end_point=float(np.hypot(d_east, d_north).sum()),
        )

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
    predicted = np.asarray(predicted, dtype=np.float64)
    truth = np.asarray(truth, dtype=np.float64)
    error = predicted - truth
    d_east, d_north = error[0][valid], error[1][valid]
    distance = distance_to_polyline(valid.shape, rupture_xy)[valid]

    def sums_where(mask: np.ndarray) -> Sums:
        return Sums.of(d_east[mask], d_north[mask])

    bands = [
        sums_where(((distance > low) | (low == 0)) & (distance <= high)) for low, high in BANDS_PX
    ]
    edges = PROFILE_EDGES_PX
    profile = [
        sums_where((distance >= low) & (distance < high)) for low, high in itertools.pairwise(edges)
    ]

    true_offsets, keep = fault_offsets(truth, valid, rupture_xy)
    predicted_offsets, _ = fault_offsets(predicted, valid, rupture_xy)
    sign = 1.0 if true_offsets.sum() >= 0 else -1.0
    return ErrorStatistics(
        total=Sums.of(d_east, d_north),
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
