"""The results file, schema v4: what ``quakebench evaluate`` writes and the leaderboard reads.

A results file carries its evidence. Each sample's entry holds the additive error statistics
of :class:`~quakebench.metrics.ErrorStatistics` (pixel counts and error sums overall, per
distance band and per profile bin, and the fault-offset sums), so any aggregate over any subset
of samples is recomputed exactly (the stacked fault-parallel profiles across the rupture and
their apparent zone widths too): reading a file checks its ``metrics`` against the
re-aggregation of its samples, and the leaderboard's bootstrap resamples them.

Layout (strict JSON: no NaN or Infinity; an undefined metric and the open profile edge are
null)::

    schema_version        4
    method                text, 1 to 100 characters
    method_version        text, at most 100 characters
    dataset               name, preset, generator, seed, size, num_samples, num_test_samples,
                          content_sha256 (the build's manifest); split_sha256 (the samples
                          scored); revision (official, numerically equivalent or different
                          from the preset's pinned records, null where none are pinned);
                          official_split_sha256 (the pinned split's hash when official or
                          equivalent, else null); hub (repo_id, config, revision, commit) when
                          it was read from the Hub; noise_px ({place: pixels}, optional: each
                          two-date place's real-pair noise, from the manifest)
    split                 train, validation or test
    num_samples           how many samples were scored: the length of per_sample
    metrics               ErrorStatistics.metrics() of the sum over the samples, with "zone":
                          the stacked profiles and the apparent zone widths, predicted and true
                          (quakebench.localization)
    per_sample            {sample id: {"statistics": ErrorStatistics.record(), "magnitude": Mw,
                          "fault_zone_width_px": the sample's true zone width in pixels, so
                          that samples can be grouped by it}}; the statistics' "zone" holds 64
                          bins of count, predicted and true sums
    runtime_s_per_sample  seconds per sample of the method, or null
    hardware              text, at most 100 characters, or null
    evaluated_with        the quakebench version that scored it
    evaluation_machine    the platform it was scored on
    date                  ISO date
    previews              optional: {sample id: {row, col, size, east, north}}: a full-resolution
                          window of the prediction, float16 in base64, for the preset's
                          preview ids (quakebench.preview), at most 8 of them
    extra                 optional: an object for anything else (a Hub commit, a training recipe)

No text anywhere in the file, keys included, may hold a control character.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import os
import re
from pathlib import Path
from typing import NoReturn

import numpy as np

from quakebench.atomic import atomic_path
from quakebench.contract import (
    DATASETS,
    MAGNITUDE_RANGE,
    SPLITS,
    check_label,
    control_character,
)
from quakebench.errors import QuakebenchError
from quakebench.localization import ZONE_CENTRES_PX
from quakebench.metrics import BANDS_PX, PROFILE_EDGES_PX, ErrorStatistics, Sums, band_name
from quakebench.presets import VERDICTS, official_split
from quakebench.preview import PREVIEW_FIELDS, PREVIEW_PX, decode_preview

SCHEMA_VERSION = 4
EXTRA = "extra"
"""The one key under which a results file may carry fields of its own."""
PREVIEWS = "previews"
"""Optional: small full-resolution windows of the predictions (:mod:`quakebench.preview`)."""
RELATIVE_TOLERANCE = 1e-9
ABSOLUTE_TOLERANCE = 1e-12
"""How closely the file's aggregates must equal the re-aggregation of its samples."""

MAX_PREVIEWS = 8
"""Previews a results file may hold (about 87 KB each)."""

REQUIRED = (
    "schema_version",
    "method",
    "method_version",
    "dataset",
    "split",
    "num_samples",
    "metrics",
    "per_sample",
    "runtime_s_per_sample",
    "hardware",
    "evaluated_with",
    "evaluation_machine",
    "date",
)
DATASET_FIELDS = (
    "name",
    "preset",
    "generator",
    "seed",
    "size",
    "num_samples",
    "num_test_samples",
    "content_sha256",
    "split_sha256",
    "official_split_sha256",
    "revision",
)
HUB_FIELDS = ("repo_id", "config", "revision", "commit")
SUM_FIELDS = tuple(field.name for field in dataclasses.fields(Sums))
NON_NEGATIVE_SUMS = ("abs_east", "abs_north", "squared", "end_point")
OFFSET_FIELDS = ("predicted", "true", "abs_error", "count")
ZONE_FIELDS = ("count", "predicted", "true")
SAMPLE_FIELDS = ("statistics", "magnitude", "fault_zone_width_px")
SHA256 = re.compile(r"[0-9a-f]{64}")
GENERATOR = re.compile(r"quakebench-generator \d{1,3}\.\d{1,3}\.\d{1,3}")
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
"""A preset's or a place's name: what reaches the board's text besides the labels."""
MAX_FILE_BYTES = 512 << 20
"""A results file is at most this large (a full test split of 10,000 samples is about 40 MB)."""
MAX_TEXT_CHARS = 10_000
MAX_KEYS = 1_000
"""Text and objects are bounded: no string longer, no object (but ``per_sample``) wider."""
MAX_DEPTH = 16
MAX_INTEGER = 2**53
"""Counts and sums stay exact in float64."""
RELATIVE_SLACK = 1e-12


def json_ready(value):
    """JSON has no NaN or Infinity: undefined metrics and open edges become None."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    return None if isinstance(value, float) and not math.isfinite(value) else value


class _Checker:
    """Checks one results file; every failure is one line naming the file and the field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, field: str, problem: str) -> NoReturn:
        raise QuakebenchError(f"{self.source}: field {field} {problem}")

    def mapping(self, value, field: str, required: tuple, optional: tuple = ()) -> dict:
        if not isinstance(value, dict):
            self.fail(field, f"must be an object, not {type(value).__name__}")
        for key in required:
            if key not in value:
                self.fail(f"{field}.{key}".lstrip("."), "is missing")
        for key in value:
            if key not in required and key not in optional:
                hint = f" (put fields of your own under {EXTRA!r})" if not field else ""
                self.fail(f"{field}.{key}".lstrip("."), f"is not in schema v{SCHEMA_VERSION}{hint}")
        return value

    def previews(self, previews, per_sample: dict) -> None:
        if not isinstance(previews, dict):
            self.fail(PREVIEWS, f"must be an object, not {type(previews).__name__}")
        if len(previews) > MAX_PREVIEWS:
            self.fail(PREVIEWS, f"holds {len(previews)} samples; at most {MAX_PREVIEWS}")
        for sample_id, preview in previews.items():
            field = f"{PREVIEWS}.{sample_id}"
            if sample_id not in per_sample:
                self.fail(field, "is not a scored sample")
            self.mapping(preview, field, PREVIEW_FIELDS)
            for key in ("row", "col"):
                self.integer(preview[key], f"{field}.{key}")
            size = self.integer(preview["size"], f"{field}.size", minimum=1)
            if size > PREVIEW_PX:
                self.fail(f"{field}.size", f"is {size}; at most {PREVIEW_PX}")
            try:
                values = decode_preview(preview)
            except ValueError as error:
                self.fail(field, str(error))
            if not np.all(np.isfinite(values)):
                self.fail(field, "holds values that are not finite")

    def integer(self, value, field: str, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(field, f"must be an integer, not {_short(value)}")
        if not minimum <= value <= MAX_INTEGER:
            self.fail(field, f"is {_short(value)}; must lie in [{minimum}, 2**53]")
        return value

    def number(self, value, field: str, *, minimum: float | None = None, null: bool = False):
        if value is None and null:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(field, f"must be a number, not {_short(value)}")
        if isinstance(value, int) and abs(value) > MAX_INTEGER:
            self.fail(field, f"is {_short(value)}; must lie within 2**53")
        if not math.isfinite(value):
            self.fail(field, "must be finite")
        if minimum is not None and value < minimum:
            self.fail(field, f"is {value}; must be at least {minimum}")
        return value

    def text(self, value, field: str, *, null: bool = False, label: bool = False) -> str | None:
        if value is None and null:
            return None
        if not isinstance(value, str):
            self.fail(field, f"must be text, not {value!r}")
        if label:
            check_label(field, value, self.source)
        return value

    def bounded(self, value, field: str = "", depth: int = 0) -> None:
        """No text of the file, keys included, holds a control character or is longer than
        :data:`MAX_TEXT_CHARS`; no object but ``per_sample`` has more than :data:`MAX_KEYS`
        keys; nothing is nested deeper than :data:`MAX_DEPTH`."""
        where = field or "(top level)"
        if depth > MAX_DEPTH:
            self.fail(where, f"is nested more than {MAX_DEPTH} deep")
        if isinstance(value, str):
            bad = control_character(value)
            if bad:
                self.fail(where, f"holds a control character {bad}")
            if len(value) > MAX_TEXT_CHARS and not field.startswith(f"{PREVIEWS}."):
                self.fail(where, f"is {len(value)} characters long; at most {MAX_TEXT_CHARS}")
        elif isinstance(value, dict):
            if len(value) > MAX_KEYS and field != "per_sample":
                self.fail(where, f"has {len(value)} keys; at most {MAX_KEYS}")
            for key, item in value.items():
                self.bounded(key, f"{field}.{key[:40]!r}".lstrip("."), depth + 1)
                self.bounded(item, f"{field}.{key[:40]}".lstrip("."), depth + 1)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.bounded(item, f"{field}[{index}]", depth + 1)

    def sums(self, value, field: str) -> None:
        self.mapping(value, field, SUM_FIELDS)
        self.integer(value["count"], f"{field}.count")
        for name in SUM_FIELDS[1:]:
            minimum = 0.0 if name in NON_NEGATIVE_SUMS else None
            self.number(value[name], f"{field}.{name}", minimum=minimum)

    def statistics(self, value, field: str) -> ErrorStatistics:
        self.mapping(value, field, ("total", "bands", "profile", "offset", "zone"))
        self.sums(value["total"], f"{field}.total")
        bands = tuple(band_name(*band) for band in BANDS_PX)
        self.mapping(value["bands"], f"{field}.bands", bands)
        for band in bands:
            self.sums(value["bands"][band], f"{field}.bands.{band}")
        profile = value["profile"]
        if not isinstance(profile, list) or len(profile) != len(PROFILE_EDGES_PX) - 1:
            self.fail(f"{field}.profile", f"must be a list of {len(PROFILE_EDGES_PX) - 1} bins")
        for index, sums in enumerate(profile):
            self.sums(sums, f"{field}.profile[{index}]")
        offset = self.mapping(value["offset"], f"{field}.offset", OFFSET_FIELDS)
        self.number(offset["predicted"], f"{field}.offset.predicted")
        self.number(offset["true"], f"{field}.offset.true")
        self.number(offset["abs_error"], f"{field}.offset.abs_error", minimum=0.0)
        self.integer(offset["count"], f"{field}.offset.count")
        zone = self.mapping(value["zone"], f"{field}.zone", ZONE_FIELDS)
        for key in ZONE_FIELDS:
            bins = zone[key]
            if not isinstance(bins, list) or len(bins) != len(ZONE_CENTRES_PX):
                self.fail(f"{field}.zone.{key}", f"must be a list of {len(ZONE_CENTRES_PX)} bins")
            for index, item in enumerate(bins):
                if key == "count":
                    self.integer(item, f"{field}.zone.count[{index}]")
                else:
                    self.number(item, f"{field}.zone.{key}[{index}]")
        count = value["total"]["count"]
        if count == 0:
            self.fail(f"{field}.total.count", "is 0: the sample has no scored pixel")
        parts = [(f"{field}.bands.{b}", value["bands"][b]) for b in bands]
        parts += [(f"{field}.profile[{i}]", s) for i, s in enumerate(profile)]
        for part, sums in parts:
            for name in NON_NEGATIVE_SUMS:
                if sums[name] > value["total"][name] * (1 + RELATIVE_SLACK):
                    self.fail(f"{part}.{name}", f"exceeds total.{name}")
        if sum(zone["count"]) > count:
            self.fail(f"{field}.zone.count", f"adds up to more than total.count {count}")
        for part in ("bands", "profile"):
            sums = value[part].values() if part == "bands" else value[part]
            if sum(s["count"] for s in sums) != count:
                self.fail(f"{field}.{part}", f"counts do not add up to total.count {count}")
        return ErrorStatistics.from_record(value)

    def pattern(self, value: str, field: str, pattern: re.Pattern, what: str) -> str:
        if not pattern.fullmatch(value):
            self.fail(field, f"is {_short(value)}, not {what}")
        return value

    def verdict(self, dataset: dict, split: str) -> None:
        """The verdict and the official split's hash agree with the pinned presets."""
        pinned, said = dataset["official_split_sha256"], dataset["revision"]
        official = None if pinned is None else official_split(dataset["name"], split, pinned)
        if pinned is not None and official is None:
            self.fail("dataset.official_split_sha256", "is no pinned preset's split")
        if (official is not None) != (said in (VERDICTS[0], VERDICTS[1])):
            self.fail(
                "dataset.revision",
                f"is {said!r}, which does not agree with official_split_sha256 "
                f"({'a pinned split' if official else 'none'})",
            )
        if official is not None and dataset["preset"] != official:
            self.fail(
                "dataset.preset", f"is {_short(dataset['preset'])}; the split is {official}'s"
            )

    def same(self, expected, actual, field: str) -> None:
        """The file's aggregate equals the re-aggregation, within the tolerances."""
        if isinstance(expected, dict):
            self.mapping(actual, field, tuple(expected))
            for key, value in expected.items():
                self.same(value, actual[key], f"{field}.{key}")
        elif isinstance(expected, list):
            if not isinstance(actual, list) or len(actual) != len(expected):
                self.fail(field, f"must be a list of {len(expected)} values")
            for index, (e, a) in enumerate(zip(expected, actual, strict=True)):
                self.same(e, a, f"{field}[{index}]")
        elif expected is None or actual is None:
            if expected is not actual:
                self.fail(field, f"is {actual!r} but the per-sample statistics give {expected!r}")
        else:
            self.number(actual, field)
            close = math.isclose(
                actual, expected, rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE
            )
            if not close:
                self.fail(field, f"is {actual!r} but the per-sample statistics give {expected!r}")


def validate(results: object, source: str = "results") -> dict:
    """Check a results file's content against schema v4; returns it, or raises naming the field.

    Checks the schema with types and ranges, that no text holds a control character, that the
    labels are at most 100 characters, and that the aggregate ``metrics`` equal the
    re-aggregation of the per-sample statistics.
    """
    check = _Checker(source)
    check.mapping(results, "", REQUIRED, (EXTRA, PREVIEWS))
    check.bounded(results)
    if results["schema_version"] != SCHEMA_VERSION:
        check.fail(
            "schema_version", f"is {results['schema_version']!r}; this reads {SCHEMA_VERSION}"
        )
    check.text(results["method"], "method", label=True)
    if not results["method"].strip():
        check.fail("method", "is empty")
    check.text(results["method_version"], "method_version", label=True)
    check.text(results["hardware"], "hardware", null=True, label=True)
    check.text(results["evaluated_with"], "evaluated_with")
    check.text(results["evaluation_machine"], "evaluation_machine")
    check.number(results["runtime_s_per_sample"], "runtime_s_per_sample", minimum=0.0, null=True)
    try:
        datetime.date.fromisoformat(check.text(results["date"], "date"))
    except ValueError:
        check.fail("date", f"is {results['date']!r}, not an ISO date")

    dataset = check.mapping(results["dataset"], "dataset", DATASET_FIELDS, ("hub", "noise_px"))
    if dataset["name"] not in DATASETS:
        check.fail("dataset.name", f"is {dataset['name']!r}; one of {', '.join(DATASETS)}")
    if check.text(dataset["preset"], "dataset.preset", null=True) is not None:
        check.pattern(dataset["preset"], "dataset.preset", NAME, "a preset name")
    check.pattern(
        check.text(dataset["generator"], "dataset.generator"),
        "dataset.generator",
        GENERATOR,
        "quakebench-generator X.Y.Z",
    )
    check.integer(dataset["seed"], "dataset.seed")
    check.integer(dataset["size"], "dataset.size", minimum=1)
    check.integer(dataset["num_samples"], "dataset.num_samples")
    check.integer(dataset["num_test_samples"], "dataset.num_test_samples")
    for key in ("content_sha256", "split_sha256", "official_split_sha256"):
        value = dataset[key]
        if not (value is None and key == "official_split_sha256") and not (
            isinstance(value, str) and SHA256.fullmatch(value)
        ):
            check.fail(f"dataset.{key}", "must be 64 lowercase hexadecimal digits")
    if verdict(results) is not None and verdict(results) not in VERDICTS:
        check.fail("dataset.revision", f"is {verdict(results)!r}; one of {', '.join(VERDICTS)}")
    if "noise_px" in dataset:
        noise = dataset["noise_px"]
        if not isinstance(noise, dict):
            check.fail("dataset.noise_px", f"must be an object, not {type(noise).__name__}")
        for place, value in noise.items():
            check.pattern(place, "dataset.noise_px", NAME, "place names")
            check.number(value, f"dataset.noise_px.{place}", minimum=0.0)
    if "hub" in dataset:
        hub = check.mapping(dataset["hub"], "dataset.hub", HUB_FIELDS)
        for key in HUB_FIELDS:
            check.text(hub[key], f"dataset.hub.{key}", null=key in ("config", "commit"))

    if results["split"] not in SPLITS:
        check.fail("split", f"is {results['split']!r}; one of {', '.join(SPLITS)}")
    check.verdict(dataset, results["split"])
    num_samples = check.integer(results["num_samples"], "num_samples", minimum=1)
    per_sample = results["per_sample"]
    if not isinstance(per_sample, dict) or len(per_sample) != num_samples:
        check.fail("per_sample", f"must hold num_samples = {num_samples} entries")
    pattern = re.compile(rf"{re.escape(dataset['name'])}-{re.escape(results['split'])}-\d{{6}}")
    total = ErrorStatistics()
    for sample_id, entry in per_sample.items():
        field = f"per_sample.{sample_id}"
        if not pattern.fullmatch(sample_id):
            check.fail(field, f"is not a {dataset['name']} {results['split']} sample id")
        check.mapping(entry, field, SAMPLE_FIELDS)
        magnitude = check.number(entry["magnitude"], f"{field}.magnitude")
        if not MAGNITUDE_RANGE[0] <= magnitude <= MAGNITUDE_RANGE[1]:
            check.fail(f"{field}.magnitude", f"is {magnitude}; Mw lies in {MAGNITUDE_RANGE}")
        check.number(entry["fault_zone_width_px"], f"{field}.fault_zone_width_px", minimum=0.0)
        total = total + check.statistics(entry["statistics"], f"{field}.statistics")
    check.same(json_ready(total.metrics()), results["metrics"], "metrics")
    if PREVIEWS in results:
        check.previews(results[PREVIEWS], per_sample)
    if EXTRA in results and not isinstance(results[EXTRA], dict):
        check.fail(EXTRA, "must be an object")
    return results


def _short(value, limit: int = 40) -> str:
    """A value for a message: its repr, cut to ``limit`` characters."""
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**30 else "a huge integer"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def read_results(path: str | os.PathLike, official: bool = False) -> dict:
    """Read and validate a results file; with ``official``, refuse unofficial dataset revisions."""
    try:
        if Path(path).stat().st_size > MAX_FILE_BYTES:
            raise QuakebenchError(f"{path}: larger than {MAX_FILE_BYTES >> 20} MB")
        results = json.loads(Path(path).read_text(), parse_constant=_refuse_constant)
    except RecursionError:
        raise QuakebenchError(f"{path}: nested too deeply to be a results file") from None
    except (OSError, ValueError) as error:
        raise QuakebenchError(f"{path}: not a results JSON file ({error})") from None
    validate(results, str(path))
    if official and official_revision(results) is None:
        dataset = results["dataset"]
        raise QuakebenchError(
            f"{path}: field dataset.split_sha256 {dataset['split_sha256'][:8]} is not an "
            f"official {dataset['name']} {results['split']} split, nor equivalent to one "
            "(--official)"
        )
    return results


def verdict(results: dict) -> str | None:
    """The scored split against its preset's pinned records (one of
    :data:`~quakebench.presets.VERDICTS`), or None where the build names no pinned preset. The
    results file keeps it in the field ``dataset.revision``."""
    return results["dataset"]["revision"]


def official_revision(results: dict) -> str | None:
    """The preset whose pinned split the results were scored on (bit-identical or numerically
    equivalent), or None (unofficial)."""
    dataset = results["dataset"]
    pinned = dataset["official_split_sha256"]
    return None if pinned is None else official_split(dataset["name"], results["split"], pinned)


def dumps(results: dict) -> str:
    """Strict JSON, indented, with one line per sample so that a pull request diffs readably."""
    head = {key: value for key, value in results.items() if key != "per_sample"}
    lines = [
        f"    {json.dumps(sample_id)}: {json.dumps(entry, separators=(',', ':'), allow_nan=False)}"
        for sample_id, entry in results["per_sample"].items()
    ]
    body = json.dumps(head, indent=2, allow_nan=False)[: -len("\n}")]
    return body + ',\n  "per_sample": {\n' + ",\n".join(lines) + "\n  }\n}\n"


def write_results(results: dict, path: str | os.PathLike) -> None:
    """Validate, then write the results file atomically."""
    validate(results, str(path))
    with atomic_path(path) as temporary:
        temporary.write_text(dumps(results))
