"""Per-sample records: what an official revision pins of each sample, and the equivalence rule.

A record is small and says what a sample holds: the SHA-256 of each stored field (with its
stored dtype), every scalar's value, summaries of each array (dtype, shape, min, max, mean,
quantiles), and for the float arrays (``post``, each displacement component, the rupture trace)
a sketch: 8 sums of the values under fixed random signs. A change of ``d`` at any one pixel
moves every sketch by ``d``, while a last-bit drift scattered over a few pixels moves them by
about nothing, so the sketches bound what the digests cannot measure. Comparing a rebuilt
sample's record with the pinned one gives one of:

* **identical**: every field's digest equal (bit for bit);
* **equivalent**: within :data:`EQUIVALENCE`: ``pre``, ``valid``, the strings and integers
  equal; every sketch of ``post`` within 1e-4 of the pinned image range, of the displacement
  and the rupture trace within 1e-5 px; other floats within 1e-9 relative;
* **different**: anything beyond that.

NumPy and compiled kernels choose SIMD code by processor, so bit-identity across machines is
not promised; equivalence is what a rebuild must reach.
"""

from __future__ import annotations

import functools
import json
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from quakebench.atomic import atomic_path
from quakebench.contract import INTEGER_FIELDS, SCALAR_FIELDS, STRING_FIELDS
from quakebench.data.content import canonical, combine, field_digest, sample_digest
from quakebench.errors import QuakebenchError

DIGESTED_FIELDS = ("pre", "post", "displacement", "valid", "rupture", "geotransform")
"""Fields recorded by digest (arrays and lists); the scalars are recorded by value."""

QUANTILES = (0.01, 0.5, 0.99)
SKETCHED = ("post", "displacement_east", "displacement_north", "rupture")
SKETCHES = 8
"""Signed sums kept per float array."""

EQUIVALENCE = {
    "post": ("of the image range", 1e-4),
    "displacement": ("px", 1e-5),
    "rupture": ("px", 1e-5),
    "scalars": ("relative", 1e-9),
}
"""The numerical-equivalence rule: field -> (unit, tolerance) on every sketch (relative for
the other floats). ``pre``, ``valid``, strings and integers must be equal."""


def _summary(values: np.ndarray) -> dict:
    values = np.asarray(values)
    as_float = values.astype(np.float64).ravel()
    summary = {
        "dtype": values.dtype.str,
        "shape": list(values.shape),
        "min": float(as_float.min()) if as_float.size else None,
        "max": float(as_float.max()) if as_float.size else None,
        "mean": float(as_float.mean()) if as_float.size else None,
    }
    for q in QUANTILES:
        summary[f"q{round(100 * q):02d}"] = (
            float(np.quantile(as_float, q)) if as_float.size else None
        )
    return summary


@functools.cache
def _signs(size: int) -> np.ndarray:
    """``bool [SKETCHES, size]``: where each sketch adds (True) or subtracts a value; the same
    on every machine (PCG64's integers are)."""
    return np.random.default_rng(2026).integers(0, 2, (SKETCHES, size), dtype=np.uint8) == 1


def _sketch(values: np.ndarray) -> list[float]:
    flat = np.asarray(values, dtype=np.float64).ravel()
    return [float(flat[s].sum() - flat[~s].sum()) for s in _signs(flat.size)]


def _arrays(sample: dict) -> dict[str, np.ndarray]:
    """The summarised arrays: the images, each displacement component, the mask, the trace."""
    displacement = np.asarray(sample["displacement"])
    return {
        "pre": np.asarray(sample["pre"]),
        "post": np.asarray(sample["post"]),
        "displacement_east": displacement[0],
        "displacement_north": displacement[1],
        "valid": np.asarray(sample["valid"]),
        "rupture": np.asarray(sample["rupture"], dtype=np.float64),
    }


def sample_record(sample: dict) -> dict:
    """The record of one sample (as stored: the dtypes of the shard, not of a reader)."""
    arrays = _arrays(sample)
    return {
        "id": str(sample["id"]),
        "sha256": sample_digest(sample),
        "fields": {name: field_digest(name, sample[name]) for name in DIGESTED_FIELDS},
        "scalars": {
            **{name: canonical(name, sample[name]) for name in SCALAR_FIELDS if name != "id"},
            "geotransform": [float(v) for v in sample["geotransform"]],
        },
        "summaries": {name: _summary(values) for name, values in arrays.items()},
        "sketches": {name: _sketch(arrays[name]) for name in SKETCHED},
    }


def split_hashes(records: Iterable[dict]) -> dict[str, str]:
    """``{split: hash}`` over the records' sample digests (as the content hash, per split)."""
    by_split: dict[str, dict[str, str]] = {}
    for record in records:
        by_split.setdefault(record["scalars"]["split"], {})[record["id"]] = record["sha256"]
    return {split: combine(digests) for split, digests in sorted(by_split.items())}


def write_records(path: str | os.PathLike, records: Iterable[dict]) -> None:
    """Write records as JSON Lines, in id order, atomically."""
    lines = [json.dumps(r, sort_keys=True) for r in sorted(records, key=lambda r: r["id"])]
    with atomic_path(Path(path)) as temporary:
        temporary.write_text("\n".join(lines) + "\n")


def read_records(path: str | os.PathLike) -> dict[str, dict]:
    """``{id: record}`` from a records file; a bad line is one error naming the file and line."""
    records = {}
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        try:
            record = json.loads(line)
            records[record["id"]] = record
        except (ValueError, KeyError, TypeError) as error:
            raise QuakebenchError(
                f"{path}: line {number} is not a sample record ({error})"
            ) from None
    return records


@dataclass(frozen=True)
class FieldDifference:
    """How far a field is from its pinned value: the largest difference the records show (a
    lower bound where only summaries can be compared), against the rule's tolerance."""

    field: str
    difference: float
    tolerance: float
    unit: str

    @property
    def within(self) -> bool:
        return self.difference <= self.tolerance

    def describe(self) -> str:
        if math.isinf(self.difference):
            return f"{self.field} (differs)"
        return f"{self.field} (by {self.difference:.3g} {self.unit}; rule {self.tolerance:g})"


@dataclass(frozen=True)
class Comparison:
    """A sample's record against the pinned one."""

    id: str
    differences: list[FieldDifference] = field(default_factory=list)

    @property
    def status(self) -> str:
        if not self.differences:
            return "identical"
        return "equivalent" if all(d.within for d in self.differences) else "different"


def _largest(built: dict, pinned: dict, names: Iterable[str]) -> float:
    """The largest difference the summaries and sketches of ``names`` show (a lower bound of
    the summed absolute difference; infinite where dtype or shape differ)."""
    largest = 0.0
    for name in names:
        a, b = built["summaries"][name], pinned["summaries"][name]
        if a["shape"] != b["shape"] or a["dtype"] != b["dtype"]:
            return math.inf
        for key in ("min", "max", "mean", *(k for k in a if k.startswith("q"))):
            if (a[key] is None) != (b[key] is None):
                return math.inf
            if a[key] is not None:
                largest = max(largest, abs(a[key] - b[key]))
        if name in SKETCHED:
            shown = np.abs(np.subtract(built["sketches"][name], pinned["sketches"][name]))
            largest = max(largest, float(shown.max()))
    return largest


def _scalar_difference(name: str, a, b) -> FieldDifference | None:
    if a == b:
        return None
    unit, tolerance = EQUIVALENCE["scalars"]
    if name in STRING_FIELDS or name in INTEGER_FIELDS or a is None or b is None:
        return FieldDifference(name, math.inf, 0.0, "")
    a, b = np.atleast_1d(np.asarray(a, dtype=float)), np.atleast_1d(np.asarray(b, dtype=float))
    if a.shape != b.shape:
        return FieldDifference(name, math.inf, tolerance, unit)
    scale = np.maximum(np.abs(b), np.finfo(float).tiny)
    return FieldDifference(name, float(np.max(np.abs(a - b) / scale)), tolerance, unit)


SUMMARISED = {
    "pre": ["pre"],
    "post": ["post"],
    "displacement": ["displacement_east", "displacement_north"],
    "valid": ["valid"],
    "rupture": ["rupture"],
}
"""The summaries that bound each digested field's difference."""


def _field_difference(name: str, built: dict, pinned: dict) -> FieldDifference:
    shown = _largest(built, pinned, SUMMARISED[name])
    if name not in EQUIVALENCE:  # pre, valid: equal, or different by at least what is shown
        return FieldDifference(name, shown or math.inf, 0.0, "")
    unit, tolerance = EQUIVALENCE[name]
    if name == "post":
        summary = pinned["summaries"]["post"]
        shown /= (summary["max"] - summary["min"]) or 1.0
    return FieldDifference(name, shown, tolerance, unit)


def compare(built: dict, pinned: dict) -> Comparison:
    """Compare a sample's record with the pinned record of the same id (the rule above)."""
    if built["sha256"] == pinned["sha256"]:
        return Comparison(built["id"])
    differences = [
        _field_difference(name, built, pinned)
        for name in SUMMARISED
        if built["fields"][name] != pinned["fields"][name]
    ]
    for name in sorted(set(built["scalars"]) | set(pinned["scalars"])):
        difference = _scalar_difference(
            name, built["scalars"].get(name), pinned["scalars"].get(name)
        )
        if difference is not None:
            differences.append(difference)
    return Comparison(built["id"], differences)
