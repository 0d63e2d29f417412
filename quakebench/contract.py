"""The data contract: dataset names, splits, sample ids and fields, each defined once.

Every piece of quakebench (the generator that renders samples, the builder that writes them, the
readers, the metrics and the leaderboard) meets at these names. The Arrow features built from
them are in :mod:`quakebench.data.schema`. The documentation's page *The data contract and
conventions* states the contract in full: array layouts, units, the predictions and results
files.
"""

from __future__ import annotations

import unicodedata

from quakebench.errors import QuakebenchError

DATASETS = ("prewarped", "postwarped")
"""``prewarped``: post = date 1 warped; ``postwarped``: post = date 2 warped."""

HUB_NAMESPACE = "quakebench"
"""The Hub organisation of the published datasets: ``quakebench/prewarped``."""

SPLITS = ("train", "validation", "test")
"""The splits of a build, in the order they are written: train and validation share one
numbering (``index % 5 == 4`` is validation) and the places of role ``train``; test has its own
numbering and only the held-out places (role ``test``)."""

ROLES = ("train", "test")
"""A place serves the train and validation splits, or (held out) the test split."""

VALIDATION_EVERY = 5
"""Every fifth sample (``index % 5 == 4``) is in the validation split: 80 % / 20 %."""

ARRAY_FIELDS = ("pre", "post", "displacement", "valid")
"""Per-pixel fields: ``pre`` ``uint16|float32 [H, W]``, ``post`` ``float32 [H, W]``,
``displacement`` ``float32 [2, H, W]`` (east, north; pixels), ``valid`` ``uint8 [H, W]``."""

SAMPLE_KINDS: dict[str, type] = {
    "id": str,
    "dataset": str,
    "split": str,
    "index": int,
    "seed": int,
}
"""Which sample this is: its id, dataset, split, index and earthquake seed."""

SCENARIO_KINDS: dict[str, type] = {
    "magnitude": float,
    "moment_nm": float,
    "sense": str,
    "rake_deg": float,
    "strike_deg": float,
    "dip_deg": float,
    "seismogenic_depth_km": float,
    "length_km": float,
    "width_km": float,
    "mean_slip_m": float,
    "max_slip_m": float,
    "mean_surface_slip_m": float,
    "along_strike_offset_km": float,
    "across_strike_offset_km": float,
    "trace_hurst": float,
    "roughness_ratio": float,
    "slip_hurst": float,
    "slip_correlation_strike_km": float,
    "slip_correlation_dip_km": float,
    "slip_cv": float,
    "shallow_deficit": float,
    "shallow_deficit_depth_km": float,
    "main_strand_fraction": float,
    "fault_zone_width_m": float,
    "num_triangles": int,
    "generator": str,
}
"""Earthquake parameters copied into every sample (see ``quakebench simulate``).

``main_strand_fraction`` is the share of the surface offset that is a step on the trace;
the rest is spread over a fault zone ``fault_zone_width_m`` wide (full width, metres) centred
on it, 0 for a wholly localized rupture. ``displacement`` holds the zone's shear; beyond the
zone it is the elastic half-space field, and distances to the rupture stay distances to the
trace, the zone's centre line."""

SCENE_KINDS: dict[str, type] = {
    "place": str,
    "role": str,
    "pre_scene": str,
    "post_scene": str,
    "pre_date": str,
    "post_date": str,
    "crop_row": int,
    "crop_col": int,
    "orientation": int,
    "crs": str,
    "pixel_size_m": float,
    "coregistration_row_px": float,
    "coregistration_col_px": float,
}
"""Where a sample's images come from: scenes, dates, crop origin, grid, co-registration."""

SCENARIO_FIELDS = tuple(SCENARIO_KINDS)
SCENE_FIELDS = tuple(SCENE_KINDS)
SCALAR_KINDS = {**SAMPLE_KINDS, **SCENARIO_KINDS, **SCENE_KINDS}
"""Every one-value field of a sample with the Python type it is stored as (``str``, ``int``:
int64, ``float``: float64), in column order."""

SCALAR_FIELDS = tuple(SCALAR_KINDS)
STRING_FIELDS = frozenset(name for name, kind in SCALAR_KINDS.items() if kind is str)
INTEGER_FIELDS = frozenset(name for name, kind in SCALAR_KINDS.items() if kind is int)
"""The scalar fields by how they are stored, read off their kinds."""


def split_of(index: int) -> str:
    """The split of sample ``index``."""
    return SPLITS[1] if index % VALIDATION_EVERY == VALIDATION_EVERY - 1 else SPLITS[0]


def role_of(split: str) -> str:
    """The role of the places a split draws from."""
    return "test" if split == "test" else "train"


def sample_id(dataset: str, index: int, split: str | None = None) -> str:
    """Stable sample id, e.g. ``prewarped-validation-000004`` or ``prewarped-test-000000``.

    ``split`` defaults to the split of ``index`` in the train/validation numbering.
    """
    return f"{dataset}-{split or split_of(index)}-{index:06d}"


def parse_sample_id(text: str) -> tuple[str, str, int]:
    """``(dataset, split, index)`` of a sample id; raises naming the id if it is not one."""
    parts = text.split("-")
    if (
        len(parts) != 3
        or parts[0] not in DATASETS
        or parts[1] not in SPLITS
        or not (parts[2].isdigit() and len(parts[2]) == 6)
        or (parts[1] != "test" and split_of(int(parts[2])) != parts[1])
    ):
        raise QuakebenchError(f"{text!r} is not a sample id, e.g. prewarped-validation-000004")
    return parts[0], parts[1], int(parts[2])


MAGNITUDE_RANGE = (6.0, 7.8)
"""The moment magnitudes the generator draws (uniform): every sample's ``magnitude`` lies here."""

MAX_LABEL_CHARS = 100
"""A results file's method name, method version and hardware are at most this long."""

# Bidirectional overrides reorder how text is shown (the "Trojan Source" trick).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def control_character(text: str) -> str | None:
    """The first control (or bidirectional override) character of ``text``, as ``U+XXXX``."""
    for character in text:
        if unicodedata.category(character) == "Cc" or character in BIDI_CONTROLS:
            return f"U+{ord(character):04X}"
    return None


def hidden_character(text: str) -> str | None:
    """The first character of ``text`` that a reader cannot see or that is not text: a
    control, format (zero-width, bidirectional), surrogate or private-use one, as
    ``U+XXXX``."""
    for character in text:
        if unicodedata.category(character) in ("Cc", "Cf", "Cs", "Co"):
            return f"U+{ord(character):04X}"
    return None


def check_label(field: str, value: str | None, source: str = "results") -> None:
    """A method name, version or hardware: Unicode text in NFC, with no invisible, format or
    control character (so that two names that look alike are alike), at most 100 characters."""
    if value is None:
        return
    bad = control_character(value)
    if bad:
        raise QuakebenchError(f"{source}: field {field} holds a control character {bad}")
    bad = hidden_character(value)
    if bad:
        raise QuakebenchError(
            f"{source}: field {field} holds an invisible or non-text character {bad}"
        )
    if not unicodedata.is_normalized("NFC", value):
        raise QuakebenchError(f"{source}: field {field} is not in Unicode normal form NFC")
    if len(value) > MAX_LABEL_CHARS:
        raise QuakebenchError(
            f"{source}: field {field} is {len(value)} characters long; at most {MAX_LABEL_CHARS}"
        )
