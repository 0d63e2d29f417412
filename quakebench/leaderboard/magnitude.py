"""Skill by magnitude: each method's error per magnitude bin, against predicting no motion.

One overall ``mae`` mixes earthquakes whose signal differs tenfold: ``zero``'s error, which is
the mean displacement itself, runs from about 0.01 px for Mw 6.0-6.5 to 0.1 px above Mw 7.5.
Per bin, a method's skill is ``1 - mae / mae(zero)`` on the same samples and the same
bootstrap draws (paired): 0 is no better than predicting no motion, 1 is exact, and bins of
different signal compare. Intervals reuse the board's draws restricted to the bin's samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quakebench.leaderboard.board import NEAR_FAULT_BAND, REFERENCE_LINES, Board, sample_ratios
from quakebench.leaderboard.bootstrap import Estimate, paired_difference, ratio_estimate

MAGNITUDE_BINS = ((6.0, 6.5), (6.5, 7.0), (7.0, 7.5), (7.5, 7.8))
"""Moment magnitude bins ``[low, high)`` (the last one closed), the generator's range."""

ZERO = "zero"


@dataclass(frozen=True)
class BinScores:
    """One method's scores on the samples of one magnitude bin."""

    low: float
    high: float
    count: int
    mae: Estimate
    near: Estimate
    """``mae`` within 2 px of the rupture."""
    skill: Estimate | None
    """``1 - mae / mae(zero)``, paired; None for ``zero`` itself or a board without it."""
    near_skill: Estimate | None

    @property
    def label(self) -> str:
        return f"Mw {self.low:.1f}-{self.high:.1f}"


def _skill(relative: Estimate) -> Estimate:
    """``1 - ratio`` from ``ratio - 1``: the interval flips."""
    if relative.value is None:
        return relative
    if relative.low is None:
        return Estimate(-relative.value, None, None)
    return Estimate(-relative.value, -relative.high, -relative.low)


def bin_members(magnitudes: np.ndarray) -> list[np.ndarray]:
    """Indices of the samples in each of :data:`MAGNITUDE_BINS`."""
    last = len(MAGNITUDE_BINS) - 1
    return [
        np.flatnonzero(
            (magnitudes >= low) & ((magnitudes < high) | ((k == last) & (magnitudes <= high)))
        )
        for k, (low, high) in enumerate(MAGNITUDE_BINS)
    ]


def _bin_scores(
    bounds: tuple[float, float],
    members: np.ndarray,
    ratios: dict,
    zero: dict | None,
    weights: np.ndarray,
    confidence: float,
) -> BinScores:
    """One method's :class:`BinScores` on the samples ``members`` (``zero``: its ratios, or
    None where no skill is given)."""

    def part(table: dict, name: str) -> tuple[np.ndarray, np.ndarray]:
        numerator, denominator = table[name]
        return numerator[members], denominator[members]

    def estimate(name: str) -> Estimate:
        if not members.size:
            return Estimate(None, None, None)
        return ratio_estimate(*part(ratios, name), weights, confidence)

    def skill(name: str) -> Estimate | None:
        if zero is None or not members.size:
            return None
        return _skill(
            paired_difference(
                part(ratios, name), part(zero, name), weights, confidence, relative=True
            )
        )

    return BinScores(
        *bounds,
        int(members.size),
        estimate("mae"),
        estimate(NEAR_FAULT_BAND),
        skill("mae"),
        skill(NEAR_FAULT_BAND),
    )


def magnitude_scores(board: Board) -> dict[str, list[BinScores]]:
    """``{method: [BinScores per bin]}`` for every row of the board, in the board's order."""
    first = board.rows[0].results["per_sample"]
    magnitudes = np.array([first[i]["magnitude"] for i in sorted(first)])
    ratios = {row.method: sample_ratios(row.results) for row in board.rows}
    members = bin_members(magnitudes)
    return {
        row.method: [
            _bin_scores(
                bounds,
                bin_,
                ratios[row.method],
                None if row.method == ZERO else ratios.get(ZERO),
                board.weights[:, bin_],
                board.confidence,
            )
            for bounds, bin_ in zip(MAGNITUDE_BINS, members, strict=True)
        ]
        for row in board.rows
    }


def beats_zero_from(scores: list[BinScores], near: bool = False) -> float | None:
    """The lowest magnitude from which the method beats ``zero`` in every bin that has samples
    (skill interval above 0), or None where it does not even in the largest."""
    start = None
    for bin_scores in reversed(scores):
        if not bin_scores.count:
            continue
        skill = bin_scores.near_skill if near else bin_scores.skill
        if skill is None or skill.low is None or skill.low <= 0:
            break
        start = bin_scores.low
    return start


def ranked_methods(board: Board) -> list[str]:
    """The methods whose skill is shown: every row but the reference lines."""
    return [row.method for row in board.rows if row.method not in REFERENCE_LINES]
