"""Boards: results grouped by dataset revision and split, with intervals and paired ranks.

Rows are sorted by ``mae``, best first. A row's rank moves past the row above only where the
paired bootstrap interval of their difference in ``mae`` excludes zero; otherwise the two
share a rank, because the test split cannot tell them apart.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from quakebench.contract import DATASETS
from quakebench.errors import QuakebenchError
from quakebench.leaderboard.bootstrap import (
    Estimate,
    paired_difference,
    ratio_estimate,
    resampling_weights,
)
from quakebench.results import official_revision

NEAR_FAULT_BAND = "d<=2"
INTERVAL_METRICS = ("mae", NEAR_FAULT_BAND, "fault_offset_bias")
"""The metrics given with a bootstrap interval."""


def sample_ratios(results: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per sample (in sorted id order), the numerator and denominator of each interval metric."""
    entries = [results["per_sample"][i]["statistics"] for i in sorted(results["per_sample"])]

    def absolute_error(sums: dict) -> tuple[float, float]:
        return sums["abs_east"] + sums["abs_north"], 2.0 * sums["count"]

    columns = {
        "mae": [absolute_error(e["total"]) for e in entries],
        NEAR_FAULT_BAND: [absolute_error(e["bands"][NEAR_FAULT_BAND]) for e in entries],
        "fault_offset_bias": [(e["offset"]["predicted"], e["offset"]["true"]) for e in entries],
    }
    return {name: tuple(np.array(c, dtype=np.float64).T) for name, c in columns.items()}


@dataclass(frozen=True)
class Row:
    """One results file on a board."""

    path: Path
    results: dict
    rank: int
    estimates: dict[str, Estimate]
    versus_above: Estimate | None
    """``mae`` of this row minus that of the row above, paired; None on the first row."""


@dataclass(frozen=True)
class Board:
    """The rows scored on one dataset revision and split."""

    dataset: dict
    split: str
    official: str | None
    """The preset whose pinned revision this is, or None."""
    rows: list[Row]
    confidence: float
    """Coverage of the intervals."""

    @property
    def num_samples(self) -> int:
        return self.rows[0].results["num_samples"]

    @property
    def title(self) -> str:
        revision = self.official or "unofficial"
        return f"{self.dataset['name']} {revision} {self.split}"

    @property
    def revision(self) -> str:
        """Generator, size, seed, split hash and how rows joined it, in words."""
        d = self.dataset
        preset = f"preset {d['preset']}, " if self.official else ""
        split_hash = d["official_split_sha256"] or d["split_sha256"]
        kinds = Counter(row.results["dataset"]["revision"] for row in self.rows)
        joined = (
            f" ({kinds['official']} rows scored on bit-identical builds, "
            f"{kinds['numerically equivalent']} on numerically equivalent ones)"
            if self.official
            else ""
        )
        return (
            f"{d['generator']}, {preset}{d['size']} px, seed {d['seed']}, {self.split} split "
            f"{split_hash[:12]}; {self.num_samples} samples{joined}"
        )


def _board(
    dataset: dict,
    split: str,
    entries: list[tuple[Path, dict]],
    replicates: int,
    seed: int,
    confidence: float,
) -> Board:
    first_path, first = entries[0]
    ids = sorted(first["per_sample"])
    methods: dict[str, Path] = {}
    for path, results in entries:
        if sorted(results["per_sample"]) != ids:
            raise QuakebenchError(
                f"{path}: field per_sample holds other samples than {first_path} "
                f"on the same {dataset['name']} revision and split"
            )
        if results["method"] in methods:
            raise QuakebenchError(
                f"{path}: field method {results['method']!r} already has a row "
                f"({methods[results['method']]})"
            )
        methods[results["method"]] = path
    weights = resampling_weights(len(ids), replicates, seed)
    scored = []
    for path, results in entries:
        ratios = sample_ratios(results)
        estimates = {
            name: ratio_estimate(
                *ratios[name],
                weights,
                confidence,
                offset=-1.0 if name == "fault_offset_bias" else 0.0,
            )
            for name in INTERVAL_METRICS
        }
        scored.append((path, results, ratios, estimates))
    scored.sort(key=lambda s: math.inf if s[3]["mae"].value is None else s[3]["mae"].value)
    rows: list[Row] = []
    for position, (path, results, ratios, estimates) in enumerate(scored):
        versus = None
        rank = 1
        if rows:
            above = scored[position - 1][2]["mae"]
            versus = paired_difference(ratios["mae"], above, weights, confidence)
            rank = position + 1 if versus.excludes_zero else rows[-1].rank
        rows.append(Row(path, results, rank, estimates, versus))
    return Board(dataset, split, official_revision(first), rows, confidence)


def build_boards(
    entries: list[tuple[str | os.PathLike, dict]], replicates: int, seed: int, confidence: float
) -> list[Board]:
    """The boards of validated results files ``(path, results)``: official revisions first.

    The draws depend on the seed and the number of samples only, so the page is reproducible.
    """
    if not entries:
        raise QuakebenchError("no results files given")
    groups: dict[tuple, list[tuple[Path, dict]]] = {}
    for path, results in entries:
        dataset = results["dataset"]
        split_hash = dataset["official_split_sha256"] or dataset["split_sha256"]
        key = (dataset["name"], split_hash, results["split"])
        groups.setdefault(key, []).append((Path(path), results))
    boards = [
        _board(group[0][1]["dataset"], key[2], group, replicates, seed, confidence)
        for key, group in groups.items()
    ]
    return sorted(
        boards, key=lambda b: (b.official is None, DATASETS.index(b.dataset["name"]), b.title)
    )
