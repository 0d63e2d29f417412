"""The leaderboard page: one self-contained HTML file that runs no script.

Its Content-Security-Policy allows no script at all, inline or not, and images only as data
URIs; every text cell is HTML-escaped by pandas. A method name is therefore text, whatever it
holds. Each board has its table, with bootstrap intervals and paired comparisons; its scores
and skill by magnitude, with a figure; a figure of the error against distance to the rupture;
and example maps of the preset's preview samples, one per sample.
"""

from __future__ import annotations

import base64
import html
import io

import pandas as pd
from matplotlib.figure import Figure
from PIL import Image

from quakebench import __version__
from quakebench.config import BootstrapConfig
from quakebench.leaderboard.board import REFERENCE_LINES, Board
from quakebench.leaderboard.magnitude import magnitude_scores, ranked_methods
from quakebench.leaderboard.table import (
    board_frames,
    bootstrap_line,
    magnitude_frames,
    noise_line,
    truth_width_line,
)
from quakebench.plots import plot_preview, plot_profile, plot_skill, plot_zone_profiles
from quakebench.preview import decode_preview
from quakebench.results import PREVIEWS

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
table.wraps th, table.wraps td { white-space: normal; min-width: 7em; }
div.table { overflow-x: auto; }
figure img { max-width: 100%; }
p.provenance { color: #555; font-size: 0.9em; }
.unofficial { border-left: 4px solid #d98c00; padding-left: 1em; }
code { background: #f2f2f2; padding: 0 0.2em; }
"""

READING = """
<h2 id="reading">How to read the board</h2>
<p>Errors are in pixels (15 m Landsat-8 pixels, 30 m for bands other than the panchromatic),
over the valid pixels of every sample of the split: <code>mae</code> is the mean absolute error
of both components; <code>mae d&lt;=2</code> is that error within 2 px of the surface rupture,
where correlators smear the discontinuity; the fault-offset bias is the relative error of the
fault-parallel offset read outside each sample's fault zone, 8 px beyond its edge on either
side (0 is exact, -1 sees no offset).</p>
<p><strong>Slip localization.</strong> Each sample's fault-parallel displacement is stacked in
1 px bins of signed distance to the rupture (out to 32 px either side, the true offset made
positive). The <em>zone width</em> of a stacked profile is the distance over which its central
80&nbsp;% of the offset accrues (10&nbsp;% to 90&nbsp;%), after a straight line fitted on
8&nbsp;&lt;&nbsp;|d|&nbsp;&le;&nbsp;32 px on each side (the elastic gradient) is taken as that
side's level; a sharp step reads 0.8 px. <em>width - truth</em> is the row's width minus the
truth's on the same draws: a correlator spreads a narrow zone over most of its window. Zero has
no offset, so no width (n/a).</p>
<p><strong>The main table.</strong> Every interval on the page is a {coverage}&nbsp;%
percentile bootstrap interval ({replicates} draws, seed {seed}, so the page is reproducible);
on an official board
the draws resample spatial blocks of the scenes, not samples, because test tiles overlap and
samples that share ground are not independent (the line under the title says how much wider
that makes the intervals). <code>truth</code> and <code>zero</code> are reference lines
(<em>ref</em>), not ranked (listed first and last; the ranked rows by rank, then
<code>mae</code>); a method's rank is 1 plus the number of methods whose paired
interval of the <code>mae</code> difference with it lies wholly below zero, so ranks do not
chain and identical predictions tie.</p>
<p><strong>The comparisons.</strong> The second table's columns <em>vs best</em> and
<em>vs correlator</em> re-score the row and the best ranked row (or the correlator, the
reference method) on the same draws of the same samples, which cancels the difficulty they
share: <code>mae</code> and <code>d&lt;=2</code> as a relative difference (+10&nbsp;% is
10&nbsp;% worse), the bias as a difference. An interval that excludes zero is a difference
this split can tell.</p>
<p><strong>By magnitude.</strong> The first table gives <code>mae</code> / <code>mae
d&lt;=2</code> per magnitude bin, with the number of samples, and zero's row is the mean true
displacement there: the signal. The second gives the skill, <code>1 - mae / mae(zero)</code>
on the same draws (0 is no better than predicting no motion, 1 is exact), and the magnitude
from which a method beats zero in every bin; on a two-date board the line under it gives the
real pairs' noise, which no method can see below.</p>
<p><strong>The maps.</strong> For a small, a medium and a large earthquake of the test split,
a full-resolution window on the rupture: the two images, the true east and north displacement,
and each method's prediction and error, all on the sample's one colour scale, with the rupture
trace in black. Smearing at the fault, noise and stripes show here, not in the tables.</p>
<p><strong>Which rows join a board.</strong> A board is one preset's split. A row joins it when
<code>quakebench evaluate</code> found the samples it scored official (bit-identical to the
preset's pinned per-sample records) or numerically equivalent to them: every field digest
equal, or else <code>pre</code>, <code>valid</code>, strings and integers equal, eight signed
sums of <code>post</code> within 1e-4 of the image range and of the displacement and rupture
trace within 1e-5 px, other numbers within 1e-9 relative.</p>
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


PALETTE_COLOURS = 128
"""Figures are stored as palette PNGs: lossless where it matters (no blur at the fault), and a
third of the size of full-colour ones, which keeps the page near 2 MB."""


def _uri(figure: Figure, dpi: int = 100) -> str:
    rendered = io.BytesIO()
    figure.savefig(rendered, format="png", dpi=dpi)
    rendered.seek(0)
    palette = Image.open(rendered).convert("RGB").quantize(PALETTE_COLOURS)
    buffer = io.BytesIO()
    palette.save(buffer, format="png", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(uri: str, text: str) -> str:
    text = html.escape(text)
    return f'<figure><img src="{uri}" alt="{text}"><figcaption>{text}</figcaption></figure>'


def _maps(board: Board, samples: list[dict]) -> list[str]:
    """One figure per preview sample: the methods that kept a preview of it."""
    figures = []
    for sample in samples:
        predictions = {}
        window = None
        for row in board.rows:
            preview = row.results.get(PREVIEWS, {}).get(sample["id"])
            if row.method in REFERENCE_LINES or preview is None:
                continue
            predictions[row.method] = decode_preview(preview)
            window = (preview["row"], preview["col"], preview["size"])
        if window is None:
            continue
        uri = _uri(plot_preview(sample, window, predictions), dpi=100)
        figures.append(
            _figure(
                uri,
                f"{sample['id']} (Mw {sample['magnitude']:.2f}): the pair, the truth and each "
                "method's prediction and error, one colour scale, rupture in black.",
            )
        )
    return figures


def _table(frame: pd.DataFrame, wraps: bool = False) -> str:
    """A frame as an HTML table (text escaped), scrolling on its own where it cannot fit; the
    main table keeps each cell on one line, the others may break an interval from its value."""
    classes = ["board", "wraps"] if wraps else "board"
    table = frame.to_html(index=False, escape=True, border=0, classes=classes)
    return f'<div class="table">{table}</div>'


def _section(board: Board, colours: dict[str, str], samples: list[dict]) -> str:
    title = html.escape(board.title)
    main, comparisons, runs = board_frames(board)
    scores = magnitude_scores(board)
    errors, skills = magnitude_frames(scores, board)
    profiles = {row.method: row.results["metrics"]["profile"] for row in board.rows}
    profile = _uri(plot_profile(profiles, f"{board.title}: error against distance", colours))
    zones = {
        row.method: row.results["metrics"]["zone"]
        for row in board.rows
        if row.method not in REFERENCE_LINES
    }
    zone = _uri(plot_zone_profiles(zones, f"{board.title}: across the rupture", colours))
    skill = _uri(
        plot_skill(
            {method: scores[method] for method in ranked_methods(board)},
            f"{board.title}: skill against magnitude",
            colours,
        )
    )
    noise = noise_line(board)
    provenance_line = board.provenance + "." + bootstrap_line(board) + truth_width_line(board)
    unofficial = "" if board.official else ' class="unofficial"'
    parts = [
        f"<section{unofficial}>\n<h3>{title}</h3>",
        f'<p class="provenance">{html.escape(provenance_line)}</p>',
        _table(main),
        "<h4>Paired comparisons, on the same draws (relative differences; the bias's "
        "difference)</h4>",
        _table(comparisons, wraps=True),
        "<details><summary>Runs: version, seconds per sample, hardware, date</summary>",
        _table(runs, wraps=True),
        "</details>",
        f"<h4>mae / mae d&lt;=2 (px) by magnitude [{100 * board.confidence:g}% CI]</h4>",
        _table(errors, wraps=True),
        "<h4>Skill, 1 - mae / mae(zero), all pixels / d&lt;=2, by magnitude</h4>",
        _table(skills, wraps=True),
        *([f'<p class="provenance">{html.escape(noise)}</p>'] if noise else []),
        _figure(skill, f"Skill against magnitude, {board.title}: overall and within 2 px."),
        _figure(profile, f"Mean absolute error against distance to the rupture, {board.title}."),
        _figure(
            zone,
            f"Stacked fault-parallel profiles across the rupture, {board.title}: the truth "
            "(black) and each method, with their apparent zone widths.",
        ),
    ]
    maps = _maps(board, samples)
    if maps:
        parts += [f"<h4>Example maps, {title}</h4>", *maps]
    return "\n".join([*parts, "</section>"])


def render_page(
    boards: list[Board],
    bootstrap: BootstrapConfig,
    samples: dict[str, list[dict]] | None = None,
) -> str:
    """The whole page: official boards, then unofficial ones apart, reading and submitting.

    ``samples`` maps a board's title to its preview samples (:mod:`.maps`), for the maps.
    """
    methods = sorted({row.results["method"] for board in boards for row in board.rows})
    colours = {method: f"C{i % 10}" for i, method in enumerate(methods)}  # one per method
    samples = samples or {}
    official = [_section(b, colours, samples.get(b.title, [])) for b in boards if b.official]
    unofficial = [_section(b, colours, samples.get(b.title, [])) for b in boards if not b.official]
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
            READING.format(
                coverage=f"{100 * bootstrap.confidence:g}",
                replicates=bootstrap.replicates,
                seed=bootstrap.seed,
            ),
            SUBMITTING,
            "</body>",
            "</html>",
            "",
        ]
    )
