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
* Fault offset: the fault-parallel offset across the trace, measured outside the sample's fault
  zone, ``OFFSET_DISTANCE_PX`` beyond its half-width on either side
  (:func:`offset_distance_px`), at every pixel of arc length along the trace, from the
  prediction and from the truth; ``fault_offset_bias = sum(predicted) / sum(true) - 1``
  (signed, relative: -0.2 means the method sees 20 % less offset than there is),
  ``fault_offset_mae`` in pixels.
* Slip localization (:mod:`quakebench.localization`): the stacked fault-parallel profile
  across the trace, predicted and true, and its apparent zone width.

Distances to the trace are signed Euclidean distances to the stored polyline
(:func:`quakebench.trace.signed_distance_to_polyline`), the distance the generator shapes its
fault zones with.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage as ndi

from quakebench.localization import ZONE_CENTRES_PX, ZoneProfile, zone_bin
from quakebench.trace import resample_polyline, signed_distance_to_polyline, trace_direction_en

BANDS_PX = ((0.0, 2.0), (2.0, 8.0), (8.0, 32.0), (32.0, math.inf))
"""Distance bands ``(low, high]`` from the rupture trace (the first includes 0)."""

PROFILE_EDGES_PX = (0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, math.inf)
"""Bin edges of the error profile against distance to the trace."""

OFFSET_DISTANCE_PX = 8.0
"""Fault offsets are read this far beyond the fault zone's edge on either side."""

CHUNK_ROWS = 64
"""Rows of an image the statistics take at a time: a chunk's arrays stay in a core's cache."""


def offset_distance_px(fault_zone_width_px: float) -> float:
    """How far from the trace a sample's fault offset is read: beyond its zone, pixels."""
    return OFFSET_DISTANCE_PX + fault_zone_width_px / 2


def band_name(low: float, high: float) -> str:
    """``"d<=2"``, ``"2<d<=8"``, ..., ``"d>32"``."""
    if low == 0:
        return f"d<={high:g}"
    return f"d>{low:g}" if math.isinf(high) else f"{low:g}<d<={high:g}"


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
    zone: ZoneProfile = field(default_factory=ZoneProfile)

    def __add__(self, other: ErrorStatistics) -> ErrorStatistics:
        return ErrorStatistics(
            total=self.total + other.total,
            bands=[a + b for a, b in zip(self.bands, other.bands, strict=True)],
            profile=[a + b for a, b in zip(self.profile, other.profile, strict=True)],
            offset_predicted=self.offset_predicted + other.offset_predicted,
            offset_true=self.offset_true + other.offset_true,
            offset_abs_error=self.offset_abs_error + other.offset_abs_error,
            offset_count=self.offset_count + other.offset_count,
            zone=self.zone + other.zone,
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
            "zone": self.zone.record(),
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
            zone=ZoneProfile.from_record(record["zone"]),
        )

    def metrics(self) -> dict:
        """Every metric: the totals, by band, the profile, the fault offset and the zone."""
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
        out["zone"] = self.zone.metrics()
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
    offset_px: float = OFFSET_DISTANCE_PX,
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
    offset_px : float
        Distance from the trace at which the fault offset is read
        (:func:`offset_distance_px` of the sample's fault zone).
    """
    valid = np.asarray(valid).astype(bool)
    truth = np.asarray(truth)
    has_trace = len(np.asarray(rupture_xy).reshape(-1, 2)) > 0
    direction = trace_direction_en(rupture_xy)
    bins = len(PROFILE_EDGES_PX) - 1
    # Sums by (band, profile bin); column `bins` holds what no profile bin does (every pixel,
    # where there is no trace). Rows are taken a chunk at a time: bounded memory, warm caches.
    shape = (len(BANDS_PX), bins + 1)
    by_pair = {name: np.zeros(shape) for name in SUMMED}
    counts = np.zeros(shape, dtype=np.int64)
    zone = ZoneProfile()
    for start in range(0, valid.shape[0], CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, valid.shape[0])
        chunk = valid[start:stop]
        pick = slice(None) if chunk.all() else np.flatnonzero(chunk)

        def values(
            image: np.ndarray, start: int = start, stop: int = stop, pick=pick
        ) -> np.ndarray:
            return image[start:stop].reshape(-1)[pick]

        # Each image's valid pixels of the chunk, taken once: (east, north) predicted and true.
        chunk_predicted = [values(component) for component in predicted]
        chunk_truth = [values(component) for component in truth]
        d_east = np.subtract(chunk_predicted[0], chunk_truth[0], dtype=np.float64)
        d_north = np.subtract(chunk_predicted[1], chunk_truth[1], dtype=np.float64)
        # Beyond the last finite profile edge every pixel falls in the last bins.
        signed = signed_distance_to_polyline(
            valid.shape, rupture_xy, PROFILE_EDGES_PX[-2], rows=(start, stop)
        ).reshape(-1)[pick]
        distance = np.abs(signed)
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
        if direction is not None:
            zone = zone + _zone_sums(chunk_predicted, chunk_truth, zone_bin(signed), direction)

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

    true_offsets, keep = fault_offsets(truth, valid, rupture_xy, offset_px)
    predicted_offsets, _ = fault_offsets(predicted, valid, rupture_xy, offset_px)
    sign = 1.0 if true_offsets.sum() >= 0 else -1.0
    zone_sign = zone.offset_sign() or sign
    return ErrorStatistics(
        total=total,
        bands=bands,
        profile=profile,
        offset_predicted=float(sign * predicted_offsets.sum()),
        offset_true=float(sign * true_offsets.sum()),
        offset_abs_error=float(np.abs(predicted_offsets - true_offsets).sum()),
        offset_count=int(keep.sum()),
        zone=ZoneProfile(zone.count, zone_sign * zone.predicted, zone_sign * zone.true),
    )


def _zone_sums(
    predicted: list[np.ndarray],
    truth: list[np.ndarray],
    zone_index: np.ndarray,
    direction_en: np.ndarray,
) -> ZoneProfile:
    """One chunk's fault-parallel sums per zone bin, from its valid pixels' ``(east, north)``
    predicted and true; ``zone_index`` is their bin, -1 outside the profile."""
    inside = zone_index >= 0
    if not inside.any():
        return ZoneProfile()
    bins = zone_index[inside]
    size = ZONE_CENTRES_PX.size

    def parallel(displacement: list[np.ndarray]) -> np.ndarray:
        east, north = (component[inside].astype(np.float64) for component in displacement)
        return east * direction_en[0] + north * direction_en[1]

    return ZoneProfile(
        np.bincount(bins, minlength=size).astype(np.int64),
        np.bincount(bins, parallel(predicted), size),
        np.bincount(bins, parallel(truth), size),
    )
