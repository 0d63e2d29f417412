"""The leaderboard: intervals against SciPy's bootstrap, paired ranks, escaped tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from markdown_it import MarkdownIt
from scipy import stats

from quakebench.cli import main
from quakebench.errors import QuakebenchError
from quakebench.leaderboard.board import build_boards
from quakebench.leaderboard.bootstrap import (
    paired_difference,
    ratio_estimate,
    resampling_weights,
)
from quakebench.leaderboard.table import MARKERS, board_frame, markdown_tables
from quakebench.results import read_results
from tests.html_tables import Document
from tests.synthetic_results import (
    noisy,
    synthetic_results,
    synthetic_samples,
)

BOARD = Path(__file__).parents[1] / "leaderboard"
REPLICATES = 20_000
EVIL_METHOD = "evil | <script>alert(1)</script>"
EVIL_VERSION = "`v1` **bold** [link](javascript:alert(1))"
EVIL_HARDWARE = '<img src=x onerror="alert(1)"> & co'


def boards(entries, replicates=2000):
    return build_boards([(f"{r['method']}.json", r) for r in entries], replicates, 0, 0.95)


@pytest.fixture(scope="module")
def samples():
    return synthetic_samples(40)


@pytest.fixture(scope="module")
def ratios():
    rng = np.random.default_rng(3)
    count = rng.integers(200, 600, 50).astype(float)
    difficulty = rng.lognormal(0, 0.8, 50)
    first = difficulty * count * rng.uniform(0.9, 1.1, 50)
    second = first * rng.uniform(1.0, 1.1, 50)
    return count, first, second


def assert_matches_scipy(ours, arrays, statistic) -> None:
    """Our percentile interval against SciPy's paired bootstrap, within 3 % of its width."""
    theirs = stats.bootstrap(
        arrays,
        statistic,
        paired=True,
        vectorized=True,
        n_resamples=REPLICATES,
        method="percentile",
        random_state=1,
    ).confidence_interval
    width = theirs.high - theirs.low
    assert ours.low == pytest.approx(theirs.low, abs=0.03 * width)
    assert ours.high == pytest.approx(theirs.high, abs=0.03 * width)


def test_ratio_interval_matches_scipy_bootstrap(ratios):
    count, first, _ = ratios
    ours = ratio_estimate(first, count, resampling_weights(len(count), REPLICATES, 0), 0.95)
    assert ours.value == pytest.approx(first.sum() / count.sum())
    assert_matches_scipy(ours, (first, count), lambda a, b, axis: a.sum(axis) / b.sum(axis))


def test_paired_difference_matches_scipy_bootstrap(ratios):
    count, first, second = ratios
    weights = resampling_weights(len(count), REPLICATES, 0)
    ours = paired_difference((second, count), (first, count), weights, 0.95)
    assert_matches_scipy(
        ours,
        (second, first, count),
        lambda a, b, n, axis: (a.sum(axis) - b.sum(axis)) / n.sum(axis),
    )
    # Pairing is what makes the difference visible: each method's own interval is wider.
    alone = ratio_estimate(first, count, weights, 0.95)
    assert ours.excludes_zero and ours.high - ours.low < 0.5 * (alone.high - alone.low)


def test_paired_ranks(samples):
    predictions = noisy(samples, 0.2, seed=5)
    worse = {i: s["displacement"] + 1.03 * (predictions[i] - s["displacement"]) for i, s in
             zip(predictions, samples, strict=True)}  # fmt: skip
    rows = boards(
        [
            synthetic_results("worse", samples, worse),
            synthetic_results("good", samples, predictions),
            synthetic_results("same", samples, dict(predictions)),
            synthetic_results("zero", samples, {i: 0 * p for i, p in predictions.items()}),
        ]
    )[0].rows
    assert [r.results["method"] for r in rows] == ["good", "same", "worse", "zero"]
    ranks = {r.results["method"]: r.rank for r in rows}
    estimates = {r.results["method"]: r.estimates["mae"] for r in rows}
    # 3 % worse on every sample: apart, though each one's interval holds the other's value.
    assert estimates["good"].high > estimates["worse"].value
    assert ranks == {"good": 1, "same": 1, "worse": 3, "zero": 4}
    assert all(r.estimates["mae"].low <= r.estimates["mae"].value <= r.estimates["mae"].high
               for r in rows)  # fmt: skip


def test_boards_refuse_duplicates_and_other_samples(samples):
    one = synthetic_results("a", samples, noisy(samples, 0.1, 1))
    with pytest.raises(QuakebenchError, match=r"b\.json: field method 'a' already has a row"):
        build_boards([("a.json", one), ("b.json", one)], 200, 0, 0.95)
    fewer = synthetic_results("c", samples[:-1], noisy(samples[:-1], 0.1, 1))
    with pytest.raises(QuakebenchError, match=r"c\.json: field per_sample holds other samples"):
        build_boards([("a.json", one), ("c.json", fewer)], 200, 0, 0.95)


def test_markdown_shows_evil_labels_as_text(samples):
    evil = synthetic_results(
        EVIL_METHOD,
        samples,
        noisy(samples, 0.1, 1),
        method_version=EVIL_VERSION,
        hardware=EVIL_HARDWARE,
    )
    honest = synthetic_results("honest", samples, noisy(samples, 0.2, 2))
    text = markdown_tables(boards([evil, honest], replicates=200))
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    document = Document(rendered)
    (table,) = document.tables
    width = len(board_frame(boards([evil, honest], 200)[0]).columns)
    assert len(table) == 3 and all(len(row) == width for row in table)
    assert [row[1:3] for row in table[1:]] == [[EVIL_METHOD, EVIL_VERSION], ["honest", "1.0"]]
    assert table[1][8] == EVIL_HARDWARE
    assert not document.tags("script") and not document.tags("img") and not document.tags("a")


def test_cli_splices_the_tables_and_writes_the_page(samples, tmp_path, capsys):
    paths = []
    for method, official in (("a", True), ("b", True), ("elsewhere", False)):
        results = synthetic_results(
            method, samples, noisy(samples, 0.1, len(paths)), official=official
        )
        paths.append(tmp_path / f"{method}.json")
        paths[-1].write_text(json.dumps(results))
    readme = tmp_path / "README.md"
    readme.write_text(f"# Board\n{MARKERS[0]}\nold\n{MARKERS[1]}\nend\n")
    page = tmp_path / "index.html"
    args = ["leaderboard", *map(str, paths), "--output", str(readme), "--html", str(page)]
    assert main([*args, "--replicates", "200"]) == 0
    text = readme.read_text()
    assert "old" not in text and text.startswith("# Board") and text.endswith("end\n")
    assert "### prewarped mini test" in text and "### prewarped unofficial test" in text
    html = page.read_text()
    official, unofficial = html.split("<h2>Unofficial revisions</h2>")
    assert "elsewhere" in unofficial and "elsewhere" not in official
    assert main([*args, "--official"]) == 2
    assert "elsewhere.json: field dataset.split_sha256" in capsys.readouterr().err


def test_committed_board_is_built_from_committed_results():
    paths = sorted((BOARD / "results").glob("*.json"))
    built = boards_of(paths)
    readme = (BOARD / "README.md").read_text()
    start, end = (readme.index(m) for m in MARKERS)
    assert readme[start + len(MARKERS[0]) : end].strip() == markdown_tables(built).strip()
    document = Document((BOARD / "index.html").read_text())
    assert len(document.tables) == len(built) == 2
    for table, board in zip(document.tables, built, strict=True):
        frame = board_frame(board)
        assert table[0] == list(frame.columns)
        assert table[1:] == frame.to_numpy().tolist()
    assert len(document.tags("img")) == 2


def boards_of(paths: list[Path]):
    return build_boards([(p, read_results(p, official=True)) for p in paths], 2000, 0, 0.95)
