"""The leaderboard page: one self-contained HTML file that runs no script.

Its Content-Security-Policy allows no script at all, inline or not, and images only as data
URIs; every text cell is HTML-escaped by pandas. A method name is therefore text, whatever it
holds. Each board has its table, with bootstrap intervals, and a figure of the error against
distance to the rupture, one line per method.
"""

from __future__ import annotations

import base64
import html
import io

from quakebench import __version__
from quakebench.leaderboard.board import Board
from quakebench.leaderboard.table import board_frame
from quakebench.plots import plot_profile

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 80em; padding: 0 1em;
       color: #1b1b1b; line-height: 1.45; }
table.board { border-collapse: collapse; font-size: 0.9em; margin: 1em 0; }
table.board th, table.board td { border-bottom: 1px solid #ccc; padding: 0.3em 0.6em;
       text-align: left; white-space: nowrap; }
table.board td { font-variant-numeric: tabular-nums; }
figure img { max-width: 100%; }
p.revision { color: #555; font-size: 0.9em; }
.unofficial { border-left: 4px solid #d98c00; padding-left: 1em; }
code { background: #f2f2f2; padding: 0 0.2em; }
"""

READING = """
<h2 id="reading">How to read the board</h2>
<p>Errors are in pixels (15 m Landsat-8 pixels, 30 m for bands other than the panchromatic),
over the valid pixels of every sample of the split: <code>mae</code> is the mean absolute error
of both components; <code>mae d&lt;=2</code> is that error within 2 px of the surface rupture,
where correlators smear the discontinuity; the fault-offset bias is the relative error of the
fault-parallel offset read 8 px either side of the rupture (0 is exact, -1 sees no offset).</p>
<p>Each interval is a {coverage}&nbsp;% percentile bootstrap interval over samples ({replicates}
draws of the test samples with replacement, seed {seed}, so the page is reproducible). The column
<em>mae minus row above</em> is a paired bootstrap: both methods are re-scored on the same
draws of the same samples, which cancels the difficulty they share. A method ranks below the
one above it only where that interval excludes zero; otherwise they share a rank, because
this split cannot tell them apart.</p>
<p>A board is one preset's split. A row joins it when <code>quakebench evaluate</code> found
the samples it scored official (bit-identical to the preset's pinned per-sample records) or
numerically equivalent to them: every field digest equal, or else <code>pre</code>,
<code>valid</code>, strings and integers equal, eight signed sums of <code>post</code> within
1e-4 of the image range and of the displacement and rupture trace within 1e-5 px, other
numbers within 1e-9 relative. A rebuild on another processor may differ in the last bits;
the line under each title counts the rows of each kind.</p>
"""

SUBMITTING = """
<h2 id="submit">How to submit</h2>
<ol>
<li>Run your method on the preset's <code>test</code> split and write a predictions file (one
<code>[2, h, w]</code> float array per sample id, east and north in pixels), e.g. with
<code>quakebench.predictions.write_predictions</code>.</li>
<li>Score it: <code>quakebench evaluate predictions.npz --dataset quakebench/prewarped
--config mini --split test --method NAME --method-version COMMIT --hardware "GPU model"
--runtime-per-sample SECONDS --output leaderboard/results/NAME.json</code>.</li>
<li>Open a pull request adding that file. CI validates every results file (schema, labels,
aggregates against the per-sample statistics, the dataset revision) before a reviewer reads
it.</li>
</ol>
"""


def _figure_uri(board: Board, colours: dict[str, str]) -> str:
    profiles = {row.results["method"]: row.results["metrics"]["profile"] for row in board.rows}
    title = f"{board.title}: error against distance to the fault"
    figure = plot_profile(profiles, title, colours)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _section(board: Board, colours: dict[str, str]) -> str:
    title = html.escape(board.title)
    table = board_frame(board).to_html(index=False, escape=True, border=0, classes="board")
    unofficial = "" if board.official else ' class="unofficial"'
    image = _figure_uri(board, colours)
    return (
        f"<section{unofficial}>\n<h3>{title}</h3>\n"
        f'<p class="revision">{html.escape(board.revision)}</p>\n{table}\n'
        f'<figure><img src="{image}" alt="mean absolute error against distance '
        f'to the rupture, {title}"><figcaption>Mean absolute error against distance to the '
        f"rupture, {title}: one line per method.</figcaption></figure>\n</section>"
    )


def render_page(boards: list[Board], replicates: int, seed: int, confidence: float) -> str:
    """The whole page: official boards, then unofficial ones apart, reading and submitting."""
    methods = sorted({row.results["method"] for board in boards for row in board.rows})
    colours = {method: f"C{i % 10}" for i, method in enumerate(methods)}  # one per method
    official = [_section(b, colours) for b in boards if b.official]
    unofficial = [_section(b, colours) for b in boards if not b.official]
    body = ["<h2>Official presets</h2>", *(official or ["<p>No results yet.</p>"])]
    if unofficial:
        body += [
            "<h2>Unofficial revisions</h2>",
            "<p>Scored on builds that are not a pinned preset, nor numerically equivalent to "
            "one: not comparable with the official boards.</p>",
            *unofficial,
        ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
            "<title>quakebench leaderboard</title>",
            f"<style>{STYLE}</style>",
            "</head>",
            "<body>",
            "<h1>quakebench leaderboard</h1>",
            "<p>Sub-pixel ground displacement from pairs of real Landsat-8 images warped by "
            "synthetic earthquakes. Built from the results files of "
            f"<code>leaderboard/results/</code> by quakebench {__version__}.</p>",
            *body,
            READING.format(coverage=f"{100 * confidence:g}", replicates=replicates, seed=seed),
            SUBMITTING,
            "</body>",
            "</html>",
            "",
        ]
    )
