"""Slip localization: stacked fault-parallel profiles across a rupture, and their zone width.

Geodesists read from a displacement map how much of the slip sits on the main strand and over
how wide a zone the rest is spread. The metric does the same on a stacked profile: the mean
fault-parallel displacement in bins of signed distance to the trace (1 px bins out to
``ZONE_PROFILE_PX`` on either side), each sample oriented so that its true offset is positive.
The profiles are kept as additive sums (:class:`ZoneProfile`, part of each sample's
:class:`~quakebench.metrics.ErrorStatistics`), so the stacked profile of any subset of samples
is recomputed from a results file.

The **apparent zone width** of a stacked profile:

1. on each side, a straight line is fitted on ``8 < |d| <= 32`` px (``ELASTIC_FIT_PX``): the
   elastic gradient, which a zone of distributed shear sits on;
2. at each bin, the fraction of the offset accrued is how far the profile has risen from the
   left line towards the right one (both extended to that distance);
3. the width is the distance between where the fraction passes 10 % and 90 % around the rise
   (the first bin where it reaches half): the last bin before that still below 10 %,
   interpolated linearly to the next, and the first bin from there above 90 %, interpolated
   to the one before. That is where the central 80 % of the offset accrues, wherever the
   rise sits: a step read a few pixels off the trace is as narrow as one on it.

With 1 px bins a perfectly sharp step reads 0.8 px (its rise between two bin centres), and a
linear ramp of full width ``W`` reads ``0.8 W``. Where the rise's tails still climb beyond
8 px (a zone wider than 16 px, 240 m at 15 m; a 64 px correlator window's smear), the fitted
levels take part of them in and the width reads short. The correlator's step response
(``tests/protocols/step_response.py``) is measured with the same function. A profile without
offset (the answer "no motion") has no width: NaN. Empty bins (NaN) are bridged linearly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

ZONE_PROFILE_PX = 32
"""The stacked profiles reach this far on either side of the trace, pixels."""

ZONE_EDGES_PX = np.arange(-ZONE_PROFILE_PX, ZONE_PROFILE_PX + 1, dtype=np.float64)
"""Edges of the profile's 1 px bins of signed distance: bin ``k`` holds ``[d_k, d_k + 1)``."""

ZONE_CENTRES_PX = ZONE_EDGES_PX[:-1] + 0.5
"""Centres of the profile's bins, pixels."""

ELASTIC_FIT_PX = (8.0, float(ZONE_PROFILE_PX))
"""Each side's elastic gradient is the straight line fitted on ``low < |d| <= high``."""

ACCRUAL = (0.1, 0.9)
"""The zone is where the offset accrues from the first fraction to the second."""


def zone_bin(signed_distance_px: np.ndarray) -> np.ndarray:
    """The profile bin of each signed distance, ``-1`` beyond ``ZONE_PROFILE_PX`` (or inf)."""
    d = np.asarray(signed_distance_px, dtype=np.float64)
    inside = (d >= -ZONE_PROFILE_PX) & (d < ZONE_PROFILE_PX)
    index = np.full(d.shape, -1, dtype=np.intp)
    index[inside] = np.floor(d[inside]).astype(np.intp) + ZONE_PROFILE_PX
    return index


def _side_line(
    profile: np.ndarray, centres: np.ndarray, side: float, fit_px: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares ``(intercept, slope)`` of the profile on one side's fit range (NaN bins
    left out; NaN where fewer than two bins remain)."""
    on = (side * centres > fit_px[0]) & (side * centres <= fit_px[1])
    x, y = centres[on], profile[..., on]
    used = np.isfinite(y)
    y = np.where(used, y, 0.0)
    n = used.sum(axis=-1)
    sx, sxx = (used * x).sum(axis=-1), (used * x * x).sum(axis=-1)
    sy, sxy = y.sum(axis=-1), (y * x).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        determinant = n * sxx - sx * sx
        slope = np.where(n >= 2, (n * sxy - sx * sy) / determinant, np.nan)
        intercept = (sy - slope * sx) / n
    return intercept, slope


def _bridge_empty_bins(profile: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Each row's NaN bins filled linearly from its finite neighbours (rows with fewer than
    two finite bins stay NaN)."""
    if not np.isnan(profile).any():
        return profile
    rows = profile.reshape(-1, profile.shape[-1]).copy()
    for row in rows:
        finite = np.isfinite(row)
        if 2 <= finite.sum() < row.size:
            row[~finite] = np.interp(centres[~finite], centres[finite], row[finite])
    return rows.reshape(profile.shape)


def _interpolate(
    fraction: np.ndarray, centres: np.ndarray, level: float, before: np.ndarray
) -> np.ndarray:
    """Where ``fraction`` passes ``level`` between bins ``before`` and ``before + 1`` (per row),
    clipped to that interval; NaN where ``before`` is -1 or the last bin."""
    bins = fraction.shape[-1]
    low = np.clip(before, 0, bins - 2)
    f0 = np.take_along_axis(fraction, low[..., None], axis=-1)[..., 0]
    f1 = np.take_along_axis(fraction, low[..., None] + 1, axis=-1)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.clip((level - f0) / (f1 - f0), 0.0, 1.0)
    position = centres[low] + t * (centres[low + 1] - centres[low])
    return np.where((before >= 0) & (before <= bins - 2), position, np.nan)


def apparent_zone_width_px(
    profile: np.ndarray,
    centres_px: np.ndarray = ZONE_CENTRES_PX,
    fit_px: tuple[float, float] = ELASTIC_FIT_PX,
) -> np.ndarray:
    """Apparent zone width of fault-parallel profiles, pixels (see the module's doc).

    Parameters
    ----------
    profile : numpy.ndarray
        ``[..., B]`` mean fault-parallel displacement per bin, oriented so that the offset is
        positive (rising from left to right); NaN marks an empty bin.
    centres_px : numpy.ndarray
        ``[B]`` signed distances of the bins, increasing.
    fit_px : (float, float)
        The range of ``|d|`` on which each side's elastic gradient is fitted.

    Returns
    -------
    numpy.ndarray
        ``[...]`` widths; NaN where the offset is not positive or the 10 % and 90 % points
        are not both found.
    """
    centres = np.asarray(centres_px, dtype=np.float64)
    profile = _bridge_empty_bins(np.asarray(profile, dtype=np.float64), centres)
    (left_a, left_b), (right_a, right_b) = (
        _side_line(profile, centres, side, fit_px) for side in (-1.0, 1.0)
    )
    left = left_a[..., None] + left_b[..., None] * centres
    right = right_a[..., None] + right_b[..., None] * centres
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = (profile - left) / (right - left)
    low, high = ACCRUAL
    index = np.arange(fraction.shape[-1])
    # The rise: the first bin at half the offset between the fitted ranges' outer ends; the
    # search starts there on either side and stays between those ends.
    within = np.abs(centres) <= fit_px[1]
    half = (fraction >= 0.5) & within
    middle = np.where(half.any(axis=-1), half.argmax(axis=-1), -1)[..., None]
    below = np.where((fraction < low) & within & (index < middle), index, -1).max(axis=-1)
    above = np.where((fraction > high) & within & (index >= middle), index, fraction.shape[-1])
    start = _interpolate(fraction, centres, low, below)
    end = _interpolate(fraction, centres, high, above.min(axis=-1) - 1)
    found = (middle[..., 0] >= 0) & (right_a - left_a > 0)
    return np.where(found, end - start, np.nan)


def _zeros(dtype: type = np.float64) -> np.ndarray:
    return np.zeros(ZONE_CENTRES_PX.size, dtype=dtype)


@dataclass(eq=False)
class ZoneProfile:
    """Additive sums of the fault-parallel displacement per bin of signed distance, pixels.

    Attributes
    ----------
    count : numpy.ndarray
        ``int64 [B]`` valid pixels per bin.
    predicted, true : numpy.ndarray
        ``[B]`` sums of the predicted and the true fault-parallel displacement, oriented so
        that the sample's true offset is positive.
    """

    count: np.ndarray = field(default_factory=lambda: _zeros(np.int64))
    predicted: np.ndarray = field(default_factory=_zeros)
    true: np.ndarray = field(default_factory=_zeros)

    def __add__(self, other: ZoneProfile) -> ZoneProfile:
        return ZoneProfile(
            self.count + other.count, self.predicted + other.predicted, self.true + other.true
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ZoneProfile):
            return NotImplemented
        return all(
            np.array_equal(a, b)
            for a, b in zip(
                (self.count, self.predicted, self.true),
                (other.count, other.predicted, other.true),
                strict=True,
            )
        )

    __hash__ = None

    def record(self) -> dict[str, list]:
        """The sums as plain JSON lists."""
        return {
            "count": [int(c) for c in self.count],
            "predicted": [float(v) for v in self.predicted],
            "true": [float(v) for v in self.true],
        }

    @classmethod
    def from_record(cls, record: dict) -> ZoneProfile:
        """The profile of :meth:`record`'s output (its layout checked by the caller)."""
        return cls(
            np.asarray(record["count"], dtype=np.int64),
            np.asarray(record["predicted"], dtype=np.float64),
            np.asarray(record["true"], dtype=np.float64),
        )

    def offset_sign(self) -> float:
        """The sign of the true offset the profile shows: the mean true displacement right of
        the trace minus left of it (0.0 where either side is empty or they are equal)."""
        right = ZONE_CENTRES_PX > 0
        counts = [self.count[~right].sum(), self.count[right].sum()]
        if min(counts) == 0:
            return 0.0
        step = self.true[right].sum() / counts[1] - self.true[~right].sum() / counts[0]
        return float(np.sign(step))

    def means(self) -> tuple[np.ndarray, np.ndarray]:
        """The stacked profiles, predicted and true: mean per bin, NaN where a bin is empty."""
        with np.errstate(divide="ignore", invalid="ignore"):
            count = np.where(self.count > 0, self.count, np.nan)
            return self.predicted / count, self.true / count

    def metrics(self) -> dict:
        """Both stacked profiles and their apparent zone widths (NaN where undefined)."""
        predicted, true = self.means()
        return {
            "distance_px": [float(c) for c in ZONE_CENTRES_PX],
            "predicted": [float(v) for v in predicted],
            "true": [float(v) for v in true],
            "count": [int(c) for c in self.count],
            "apparent_width_px": float(apparent_zone_width_px(predicted)),
            "true_apparent_width_px": float(apparent_zone_width_px(true)),
        }


def format_width(width_px: float | None) -> str:
    """An apparent zone width for people: "n/a" where there is none (no offset)."""
    return "n/a" if width_px is None or not np.isfinite(width_px) else f"{width_px:.1f} px"
