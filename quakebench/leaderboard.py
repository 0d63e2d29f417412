"""The leaderboard: a Markdown table built from results files only.

Each row is one ``quakebench evaluate --output`` results file; rows are grouped by dataset
revision and split, best mean absolute error first.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from quakebench.atomic import atomic_path
from quakebench.errors import QuakebenchError

MARKERS = ("<!-- leaderboard:start -->", "<!-- leaderboard:end -->")
"""The table sits between these lines of a Markdown page."""

REQUIRED = ("method", "dataset", "split", "num_samples", "metrics", "date")
COLUMNS = (
    "method",
    "version",
    "dataset",
    "split",
    "samples",
    "mae px",
    "mae E",
    "mae N",
    "epe px",
    "mae d<=2",
    "mae d>32",
    "fault offset bias",
    "s/sample",
    "hardware",
    "date",
)


def read_results(path: str | os.PathLike) -> dict:
    """A results file, checked for the fields the leaderboard needs."""
    try:
        results = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise QuakebenchError(f"{path}: not a results JSON file ({error})") from None
    missing = [field for field in REQUIRED if field not in results]
    if missing:
        raise QuakebenchError(f"{path}: results file lacks field {missing[0]!r}")
    if "mae" not in results["metrics"]:
        raise QuakebenchError(f"{path}: results file lacks metric 'mae'")
    return results


def _number(value, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def row(results: dict) -> list[str]:
    """One table row of a results file."""
    metrics, dataset = results["metrics"], results["dataset"]
    name = dataset.get("dataset") or dataset.get("hub", "?")
    if "content_sha256" in dataset:
        name += (
            f" ({dataset['num_samples']} x {dataset['size']} px, {dataset['content_sha256'][:8]})"
        )
    bands = metrics.get("bands", {})
    return [
        results["method"],
        results.get("method_version") or "-",
        name,
        results["split"],
        str(results["num_samples"]),
        _number(metrics["mae"]),
        _number(metrics.get("mae_east")),
        _number(metrics.get("mae_north")),
        _number(metrics.get("epe")),
        _number(bands.get("d<=2", {}).get("mae")),
        _number(bands.get("d>32", {}).get("mae")),
        _number(metrics.get("fault_offset_bias"), 3),
        _number(results.get("runtime_s_per_sample"), 3),
        results.get("hardware") or "-",
        results["date"],
    ]


def leaderboard_table(paths: list[str | os.PathLike]) -> str:
    """The Markdown table of the given results files."""
    if not paths:
        raise QuakebenchError("no results files given")
    rows = sorted(
        (row(read_results(path)) for path in paths),
        key=lambda r: (r[2], r[3], float("inf") if r[5] == "-" else float(r[5])),
    )
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def splice_table(path: str | os.PathLike, table: str) -> None:
    """Put ``table`` between the markers of a Markdown file (appended if it has none)."""
    path = Path(path)
    text = path.read_text() if path.exists() else ""
    start, end = MARKERS
    if start in text and end in text:
        text = text[: text.index(start) + len(start)] + "\n" + table + text[text.index(end) :]
    else:
        text += f"{start}\n{table}{end}\n"
    with atomic_path(path) as temporary:
        temporary.write_text(text)
