"""Board tables: pandas DataFrames of display text per board, written as Markdown.

A board has three: the scores (:func:`board_frame`), the paired comparisons
(:func:`comparison_frame`) and what ran (:func:`run_frame`), so that the first stays narrow
enough to read whole. A frame holds raw text; each writer escapes every text cell for its own
format (Markdown here, HTML in :mod:`quakebench.leaderboard.page`), so a method name is shown,
never obeyed.
"""

from __future__ import annotations

import html
import math
import os
import re
from pathlib import Path

import pandas as pd

from quakebench.atomic import atomic_path
from quakebench.leaderboard.board import NEAR_FAULT_BAND, Board
from quakebench.leaderboard.bootstrap import Estimate
from quakebench.leaderboard.magnitude import (
    BinScores,
    beats_zero_from,
    magnitude_scores,
    ranked_methods,
)

MARKERS = ("<!-- leaderboard:start -->", "<!-- leaderboard:end -->")
"""The tables sit between these lines of a Markdown page."""

TEXT_COLUMNS = ("method", "version", "hardware")
"""Columns whose cells come from the submitter, not from numbers."""

# CommonMark lets a backslash escape any ASCII punctuation; these would format, link or end a
# cell (a link needs "[", an image "![", so "(" and "!" may stay readable).
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def escape_markdown(text: str) -> str:
    """Text shown literally in a Markdown table cell: no HTML, no formatting, no cell break."""
    text = html.escape(" ".join(text.split()), quote=False)
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _interval(estimate: Estimate, digits: int, sign: bool = False) -> str:
    if estimate.value is None:
        return "-"
    form = f"{'+' if sign else ''}.{digits}f"
    if estimate.low is None:
        return format(estimate.value, form)
    return f"{estimate.value:{form}} [{estimate.low:{form}}, {estimate.high:{form}}]"


def _width(estimate: Estimate, sign: bool = False) -> str:
    """An apparent zone width: "n/a" where a prediction has no offset to spread (zero)."""
    return "n/a" if estimate.value is None else _interval(estimate, 1, sign=sign)


def _percent(estimate: Estimate | None) -> str:
    """A relative difference in percent, with as many decimals as its interval needs."""
    if estimate is None or estimate.value is None:
        return "-"
    spread = abs(estimate.value) if estimate.low is None else estimate.high - estimate.low
    digits = int(min(max(1 - math.floor(math.log10(100 * spread)), 1), 6)) if spread else 1
    form = f"+.{digits}f"
    if estimate.low is None:
        return f"{100 * estimate.value:{form}}%"
    return (
        f"{100 * estimate.value:{form}}% "
        f"[{100 * estimate.low:{form}}, {100 * estimate.high:{form}}]"
    )


def _versus(comparison: dict[str, Estimate] | None, metric: str) -> str:
    if comparison is None:
        return "-"
    if metric == "fault_offset_bias":
        return _interval(comparison[metric], 3, sign=True)
    return _percent(comparison[metric])


def board_frame(board: Board) -> pd.DataFrame:
    """The board's scores, a row per results file in the board's order (unescaped text)."""
    ci = f"[{100 * board.confidence:g}% CI]"
    records = []
    for row in board.rows:
        estimates = row.estimates
        records.append(
            {
                "rank": "ref" if row.rank is None else str(row.rank),
                "method": row.method,
                f"mae px {ci}": _interval(estimates["mae"], 4),
                f"mae {NEAR_FAULT_BAND} px": _interval(estimates[NEAR_FAULT_BAND], 4),
                "fault-offset bias": _interval(estimates["fault_offset_bias"], 3, sign=True),
                "zone width px": _width(row.zone_width),
                "width - truth px": _width(row.zone_width_vs_truth, sign=True),
            }
        )
    return pd.DataFrame.from_records(records)


def comparison_frame(board: Board) -> pd.DataFrame:
    """Each row re-scored against the best ranked row and the correlator on the same draws
    (unescaped text; relative differences of ``mae`` and ``d<=2``, the bias's difference)."""
    records = []
    for row in board.rows:
        record = {"method": row.method}
        for against, comparison in (
            ("best", row.versus_best),
            ("correlator", row.versus_reference),
        ):
            record[f"mae vs {against}"] = _versus(comparison, "mae")
            record[f"{NEAR_FAULT_BAND} vs {against}"] = _versus(comparison, NEAR_FAULT_BAND)
            record[f"bias vs {against}"] = _versus(comparison, "fault_offset_bias")
        records.append(record)
    return pd.DataFrame.from_records(records)


def run_frame(board: Board) -> pd.DataFrame:
    """What each row ran: version, seconds per sample, hardware and date (unescaped text)."""
    records = []
    for row in board.rows:
        runtime = row.results["runtime_s_per_sample"]
        records.append(
            {
                "method": row.method,
                "version": row.results["method_version"] or "-",
                "s/sample": "-" if runtime is None else f"{runtime:.3g}",
                "hardware": row.results["hardware"] or "-",
                "date": row.results["date"],
            }
        )
    return pd.DataFrame.from_records(records)


def board_frames(board: Board) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The board's three tables: scores, paired comparisons and runs."""
    return board_frame(board), comparison_frame(board), run_frame(board)


def _from(magnitude: float | None) -> str:
    return "never" if magnitude is None else f"Mw {magnitude:.1f}"


def magnitude_frames(scores: dict[str, list[BinScores]], board: Board) -> tuple[pd.DataFrame, ...]:
    """Per magnitude bin: every row's ``mae`` and ``mae d<=2``; each method's skill against
    ``zero`` (overall, within 2 px) and the magnitude from which it beats ``zero``."""
    first = next(iter(scores.values()))
    heads = [f"{s.label} (n={s.count})" for s in first]
    errors = pd.DataFrame.from_records(
        [
            {"method": method}
            | {
                head: f"{_interval(s.mae, 4)} / {_interval(s.near, 4)}"
                for head, s in zip(heads, method_scores, strict=True)
            }
            for method, method_scores in scores.items()
        ]
    )
    beats = "beats zero from (all / d<=2)"
    skills = pd.DataFrame.from_records(
        [
            {"method": method}
            | {
                head: "-"
                if s.skill is None
                else f"{_interval(s.skill, 2)} / {_interval(s.near_skill, 2)}"
                for head, s in zip(heads, scores[method], strict=True)
            }
            | {
                beats: f"{_from(beats_zero_from(scores[method]))} / "
                f"{_from(beats_zero_from(scores[method], near=True))}"
            }
            for method in ranked_methods(board)
        ],
        columns=["method", *heads, beats],  # a board of reference lines has no skill rows
    )
    return errors, skills


def noise_line(board: Board) -> str | None:
    """The real-pair noise of the board's places, in words (two-date datasets)."""
    noise = board.dataset.get("noise_px") or {}
    if not noise:
        return None
    places = ", ".join(f"{place} {value:.3f} px" for place, value in sorted(noise.items()))
    return (
        f"Real-pair noise (robust spread of the measured displacement on stable ground): {places}. "
        "Zero's mae is the mean true displacement: where it is below the noise, no method can "
        "see the signal."
    )


def markdown_tables(boards: list[Board]) -> str:
    """A heading, the revision and the tables of each board, in Markdown."""
    parts = []
    for board in boards:
        board_scores = magnitude_scores(board)
        tables = []
        for frame in board_frames(board):
            for column in TEXT_COLUMNS:
                if column in frame:
                    frame[column] = frame[column].map(escape_markdown)
            tables.append(frame.to_markdown(index=False, disable_numparse=True))
        scores, comparisons, runs = tables
        errors, skills = magnitude_frames(board_scores, board)
        for magnitude_frame in (errors, skills):
            magnitude_frame["method"] = magnitude_frame["method"].map(escape_markdown)
        noise = noise_line(board)
        parts.append(
            f"### {board.title}\n\n{board.provenance}.{bootstrap_line(board)}"
            f"{truth_width_line(board)}\n\n{scores}\n\n"
            f"**Paired comparisons** (same draws; relative differences)\n\n{comparisons}\n\n"
            f"**Runs**\n\n{runs}\n\n"
            f"**mae / mae d<=2 (px) by magnitude** [{100 * board.confidence:g}% CI]\n\n"
            f"{errors.to_markdown(index=False, disable_numparse=True)}\n\n"
            f"**Skill, 1 - mae / mae(zero), all pixels / d<=2, by magnitude**\n\n"
            f"{skills.to_markdown(index=False, disable_numparse=True)}\n"
            + (f"\n{noise}\n" if noise else "")
        )
    return "\n".join(parts)


def truth_width_line(board: Board) -> str:
    """The truth's apparent zone width, which every row's width is set against, in words."""
    width = board.true_zone_width
    if width.value is None:
        return ""
    return f" The truth's stacked profile has an apparent zone width of {_width(width)} px."


def bootstrap_line(board: Board) -> str:
    """How the board's intervals resample, and what block draws cost, in words."""
    if board.blocks is None:
        return " Intervals resample samples."
    widening = (
        ""
        if board.widening is None
        else (
            f"; the mae intervals are {board.widening:.2f} times as wide as when samples are "
            "drawn alone"
        )
    )
    return (
        f" Intervals resample {board.blocks} spatial blocks (overlapping tiles drawn together)"
        f"{widening}."
    )


def splice(path: str | os.PathLike, text: str) -> None:
    """Put ``text`` between the markers of a Markdown file (appended if it has none)."""
    path = Path(path)
    page = path.read_text() if path.exists() else ""
    start, end = MARKERS
    if start in page and end in page:
        page = page[: page.index(start) + len(start)] + "\n" + text + page[page.index(end) :]
    else:
        page += f"{start}\n{text}{end}\n"
    with atomic_path(path) as temporary:
        temporary.write_text(page)
