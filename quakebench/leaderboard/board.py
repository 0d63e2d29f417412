"""Boards: results grouped by dataset revision and split, with intervals and paired ranks.

Rows are listed ``truth`` first, then by rank and ``mae``, ``zero`` last. ``truth`` and ``zero``
are reference lines, not ranked. A method's rank is 1 plus the number of methods significantly
better than it: whose paired bootstrap interval of the ``mae`` difference lies wholly below
zero. Ranks do not chain: two methods that differ insignificantly from a third may still rank
apart, and identical predictions always tie. Each row is also compared, paired, with the best
ranked row and with the correlator (the reference method), on ``mae``, ``mae d<=2`` (relative)
and the fault-offset bias (difference). Each row's apparent zone width
(:mod:`quakebench.localization`) is given with its interval, and its difference from the
truth's on the same draws.

On an official board the draws resample spatial blocks, not samples: test tiles of one scene
overlap, so samples that share ground are drawn together (a block is the tile-sized square of
its scene holding a sample's crop centre, from the preset's pinned per-sample records).
"""

from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from quakebench.config import BootstrapConfig
from quakebench.contract import DATASETS
from quakebench.errors import QuakebenchError
from quakebench.leaderboard.bootstrap import (
    Estimate,
    block_resampling_weights,
    estimate,
    paired_difference,
    ratio_estimate,
    resampling_weights,
)
from quakebench.localization import apparent_zone_width_px
from quakebench.presets import pinned_records
from quakebench.results import official_revision, verdict

NEAR_FAULT_BAND = "d<=2"
INTERVAL_METRICS = ("mae", NEAR_FAULT_BAND, "fault_offset_bias")
"""The metrics given with a bootstrap interval."""
REFERENCE_LINES = ("truth", "zero")
"""Shown for scale, not ranked: the exact answer, and the answer "no motion"."""
REFERENCE_METHOD = "correlator"
"""The reference method every row is compared with."""


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


def zone_sums(results: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per sample (in sorted id order), ``[N, B]`` zone-profile counts and the predicted and
    true fault-parallel sums."""
    entries = [
        results["per_sample"][i]["statistics"]["zone"] for i in sorted(results["per_sample"])
    ]
    return tuple(
        np.array([e[key] for e in entries], dtype=np.float64)
        for key in ("count", "predicted", "true")
    )


def zone_widths(
    results: dict, weights: np.ndarray, confidence: float
) -> tuple[Estimate, Estimate, Estimate]:
    """The apparent zone width of the stacked predicted profile, of the true one, and their
    difference (predicted - true, paired on the same draws), pixels, with intervals.

    A draw can leave a profile without offset, hence without width; where more than the
    interval's tail of the draws do, the interval is not given (the point estimate is).
    """
    count, predicted, true = zone_sums(results)
    every = np.ones((1, len(count)))

    def widths(draws: np.ndarray, sums: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return apparent_zone_width_px((draws @ sums) / (draws @ count))

    def with_interval(point: float, drawn: np.ndarray) -> Estimate:
        if np.mean(~np.isfinite(drawn)) > (1 - confidence) / 2:
            return estimate(point, drawn[:0], confidence)
        return estimate(point, drawn, confidence)

    point = [widths(every, sums)[0] for sums in (predicted, true)]
    drawn = [widths(weights, sums) for sums in (predicted, true)]
    return (
        with_interval(point[0], drawn[0]),
        with_interval(point[1], drawn[1]),
        with_interval(point[0] - point[1], drawn[0] - drawn[1]),
    )


@dataclass(frozen=True)
class Row:
    """One results file on a board."""

    path: Path
    results: dict
    rank: int | None
    """None for a reference line."""
    estimates: dict[str, Estimate]
    versus_best: dict[str, Estimate] | None
    """Paired against the best ranked row: ``mae`` and ``d<=2`` relative (0.1 is 10 % worse),
    the fault-offset bias as a difference; None on that row itself."""
    versus_reference: dict[str, Estimate] | None
    """The same against the correlator; None on its row, or where it has none."""
    zone_width: Estimate
    """The apparent zone width of the row's stacked profile, pixels (its value None for
    zero's: no offset, no width)."""
    zone_width_vs_truth: Estimate
    """That width minus the truth's, paired on the same draws, pixels."""

    @property
    def method(self) -> str:
        return self.results["method"]


@dataclass(frozen=True)
class Board:
    """The rows scored on one dataset revision and split."""

    dataset: dict
    split: str
    official: str | None
    """The preset whose pinned revision this is, or None."""
    rows: list[Row]
    bootstrap: BootstrapConfig
    """How the intervals are drawn."""
    weights: np.ndarray
    """``[replicates, samples]`` the draws every interval of the board uses."""
    blocks: int | None
    """Spatial blocks the draws resample (official boards), or None: samples."""
    widening: float | None
    """Median over rows of the ``mae`` interval's width with block draws over its width with
    sample draws: what the overlap of the tiles costs."""
    true_zone_width: Estimate
    """The apparent zone width of the truth's stacked profile, pixels."""

    @property
    def confidence(self) -> float:
        """Coverage of the intervals."""
        return self.bootstrap.confidence

    @property
    def num_samples(self) -> int:
        return self.rows[0].results["num_samples"]

    @property
    def title(self) -> str:
        revision = self.official or "unofficial"
        return f"{self.dataset['name']} {revision} {self.split}"

    @property
    def provenance(self) -> str:
        """Generator, size, seed, split hash and how rows joined it, in words."""
        d = self.dataset
        preset = f"preset {d['preset']}, " if self.official else ""
        split_hash = d["official_split_sha256"] or d["split_sha256"]
        kinds = Counter(verdict(row.results) for row in self.rows)
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

    def row(self, method: str) -> Row | None:
        """The row of a method, or None."""
        return next((row for row in self.rows if row.method == method), None)


def spatial_blocks(ids: list[str], records: dict[str, dict], size: int) -> np.ndarray | None:
    """Each sample's block: its place and the tile-sized square of the scene holding its crop
    centre (from pinned records); None where a record is missing."""
    if not all(i in records for i in ids):
        return None
    blocks = []
    for i in ids:
        scalars = records[i]["scalars"]
        centre = (scalars["crop_row"] + size // 2, scalars["crop_col"] + size // 2)
        blocks.append(f"{scalars['place']}/{centre[0] // size}/{centre[1] // size}")
    return np.array(blocks)


def _compare(
    ratios: dict, other: dict, weights: np.ndarray, confidence: float
) -> dict[str, Estimate]:
    """Paired comparison on the interval metrics: relative for errors, a difference for bias."""
    return {
        name: paired_difference(
            ratios[name], other[name], weights, confidence, relative=name != "fault_offset_bias"
        )
        for name in INTERVAL_METRICS
    }


def _estimates(ratios: dict, weights: np.ndarray, confidence: float) -> dict[str, Estimate]:
    return {
        name: ratio_estimate(
            *ratios[name],
            weights,
            confidence,
            offset=-1.0 if name == "fault_offset_bias" else 0.0,
        )
        for name in INTERVAL_METRICS
    }


def _width(estimate: Estimate) -> float | None:
    return None if estimate.low is None else estimate.high - estimate.low


MAX_DRAWS = 2e8
"""Replicates times samples of one board: its weights take 8 bytes each."""


def _board(
    dataset: dict,
    split: str,
    entries: list[tuple[Path, dict]],
    bootstrap: BootstrapConfig,
) -> Board:
    replicates, seed, confidence = bootstrap.replicates, bootstrap.seed, bootstrap.confidence
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
    if replicates * len(ids) > MAX_DRAWS:
        raise QuakebenchError(
            f"{first_path}: {replicates} replicates of {len(ids)} samples are more draws than "
            f"{MAX_DRAWS:.0e}; give fewer --replicates"
        )
    official = official_revision(first)
    samples = resampling_weights(len(ids), replicates, seed)
    blocks = (
        spatial_blocks(ids, pinned_records(official, dataset["name"]), dataset["size"])
        if official
        else None
    )
    weights = samples if blocks is None else block_resampling_weights(blocks, replicates, seed)
    ratios = {path: sample_ratios(results) for path, results in entries}
    estimates = {path: _estimates(ratios[path], weights, confidence) for path, _ in entries}
    widening = None
    if blocks is not None:
        widths = [
            (
                _width(estimates[path]["mae"]),
                _width(_estimates(ratios[path], samples, confidence)["mae"]),
            )
            for path, _ in entries
        ]
        ratios_of_widths = [a / b for a, b in widths if a is not None and b]
        widening = float(np.median(ratios_of_widths)) if ratios_of_widths else None

    def mae(path: Path) -> float:
        value = estimates[path]["mae"].value
        return math.inf if value is None else value

    order = sorted((path for path, _ in entries), key=mae)
    results_of = dict(entries)
    ranked = [path for path in order if results_of[path]["method"] not in REFERENCE_LINES]
    best = ranked[0] if ranked else None
    reference = next(
        (path for path in order if results_of[path]["method"] == REFERENCE_METHOD), None
    )
    rows = []
    for path in order:
        rank = None
        if path in ranked:
            better = sum(
                paired_difference(
                    ratios[other]["mae"], ratios[path]["mae"], weights, confidence
                ).high_below_zero
                for other in ranked
                if other != path
            )
            rank = 1 + better

        def versus(other: Path | None, path: Path = path) -> dict[str, Estimate] | None:
            if other is None or other == path:
                return None
            return _compare(ratios[path], ratios[other], weights, confidence)

        width, _, width_vs_truth = zone_widths(results_of[path], weights, confidence)
        rows.append(
            Row(
                path,
                results_of[path],
                rank,
                estimates[path],
                versus(best),
                versus(reference),
                width,
                width_vs_truth,
            )
        )
    rows.sort(key=_display_order)
    blocks_count = None if blocks is None else len(set(blocks.tolist()))
    true_width = zone_widths(first, weights, confidence)[1]  # every row shares the truth
    return Board(
        dataset, split, official, rows, bootstrap, weights, blocks_count, widening, true_width
    )


def _display_order(row: Row) -> tuple[int, float, float]:
    """``truth`` first, the ranked rows by rank then ``mae``, ``zero`` last."""
    mae = row.estimates["mae"].value
    mae = math.inf if mae is None else mae
    if row.method == REFERENCE_LINES[0]:
        return (0, 0.0, mae)
    if row.method == REFERENCE_LINES[1]:
        return (2, 0.0, mae)
    return (1, float(row.rank), mae)


def build_boards(
    entries: list[tuple[str | os.PathLike, dict]], bootstrap: BootstrapConfig
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
        _board(group[0][1]["dataset"], key[2], group, bootstrap) for key, group in groups.items()
    ]
    return sorted(
        boards, key=lambda b: (b.official is None, DATASETS.index(b.dataset["name"]), b.title)
    )
