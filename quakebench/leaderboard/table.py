"""Board tables: one pandas DataFrame of display text per board, written as Markdown.

The frame holds raw text; each writer escapes every text cell for its own format (Markdown
here, HTML in :mod:`quakebench.leaderboard.page`), so a method name is shown, never obeyed.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pandas as pd

from quakebench.atomic import atomic_path
from quakebench.leaderboard.board import NEAR_FAULT_BAND, Board
from quakebench.leaderboard.bootstrap import Estimate

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


def board_frame(board: Board) -> pd.DataFrame:
    """The board's rows as display text, best first (unescaped)."""
    ci = f"[{100 * board.confidence:g}% CI]"
    records = []
    for row in board.rows:
        results, estimates = row.results, row.estimates
        runtime = results["runtime_s_per_sample"]
        records.append(
            {
                "rank": str(row.rank),
                "method": results["method"],
                "version": results["method_version"] or "-",
                f"mae px {ci}": _interval(estimates["mae"], 4),
                f"mae {NEAR_FAULT_BAND} px {ci}": _interval(estimates[NEAR_FAULT_BAND], 4),
                f"fault-offset bias {ci}": _interval(estimates["fault_offset_bias"], 3, sign=True),
                f"mae minus row above {ci}": "-"
                if row.versus_above is None
                else _interval(row.versus_above, 4, sign=True),
                "s/sample": "-" if runtime is None else f"{runtime:.3g}",
                "hardware": results["hardware"] or "-",
                "date": results["date"],
            }
        )
    return pd.DataFrame.from_records(records)


def markdown_tables(boards: list[Board]) -> str:
    """A heading, the revision and the table of each board, in Markdown."""
    parts = []
    for board in boards:
        frame = board_frame(board)
        for column in TEXT_COLUMNS:
            frame[column] = frame[column].map(escape_markdown)
        table = frame.to_markdown(index=False, disable_numparse=True)
        parts.append(f"### {board.title}\n\n{board.revision}.\n\n{table}\n")
    return "\n".join(parts)


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
