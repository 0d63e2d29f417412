"""The leaderboard: intervals against SciPy's bootstrap, paired ranks, escaped tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from markdown_it import MarkdownIt
from scipy import stats

from quakebench.cli import main
from quakebench.config import BootstrapConfig
from quakebench.errors import QuakebenchError
from quakebench.leaderboard.board import build_boards, sample_ratios, spatial_blocks
from quakebench.leaderboard.bootstrap import (
    block_resampling_weights,
    paired_difference,
    ratio_estimate,
    resampling_weights,
)
from quakebench.leaderboard.magnitude import MAGNITUDE_BINS, beats_zero_from, magnitude_scores
from quakebench.leaderboard.table import MARKERS, board_frames, markdown_tables
from quakebench.presets import pinned_records
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
    return build_boards([(f"{r['method']}.json", r) for r in entries], BootstrapConfig(replicates))


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
    # zero is a reference line, not ranked; a copy ties with its original.
    assert ranks == {"good": 1, "same": 1, "worse": 3, "zero": None}
    same = next(r for r in rows if r.method == "same")
    assert same.versus_best["mae"].value == 0 and not same.versus_best["mae"].excludes_zero
    assert all(r.estimates["mae"].low <= r.estimates["mae"].value <= r.estimates["mae"].high
               for r in rows)  # fmt: skip


def scaled(samples, predictions, low, high, seed):
    """Each sample's error scaled by its own random factor in [low, high)."""
    factors = np.random.default_rng(seed).uniform(low, high, len(samples))
    return {
        s["id"]: s["displacement"] + f * (predictions[s["id"]] - s["displacement"])
        for s, f in zip(samples, factors, strict=True)
    }


def test_ranks_do_not_chain(samples):
    # A, B and C: B is A with each sample's error scaled by a noisy factor around 1.02, C is B
    # likewise. Neighbours differ insignificantly, A and C significantly (sample draws: an
    # unofficial board).
    a = noisy(samples, 0.2, seed=5)
    b = scaled(samples, a, 0.92, 1.12, seed=1)
    c = scaled(samples, b, 0.92, 1.12, seed=2)
    entries = [(m, p) for m, p in (("A", a), ("B", b), ("C", c))]
    board = boards([synthetic_results(m, samples, p, official=False) for m, p in entries], 4000)[0]
    assert board.blocks is None
    weights = board.weights
    ratios = {row.method: sample_ratios(row.results)["mae"] for row in board.rows}

    def significant(first, second):
        return paired_difference(ratios[first], ratios[second], weights, 0.95).excludes_zero

    assert not significant("B", "A") and not significant("C", "B") and significant("C", "A")
    ranks = {row.method: row.rank for row in board.rows}
    assert ranks["A"] == ranks["B"] == 1 and ranks["C"] == 2
    # The old rule (tie with the row above unless their difference is significant) chained
    # all three into one rank.


def test_rows_are_listed_truth_first_then_by_rank_and_zero_last(samples):
    """X is Z with every error 2 % larger (significantly worse: rank 2); Y is Z with each
    sample's error scaled by 0.8-1.3 (worse in mae, but not significantly: rank 1). Y is
    listed before X."""
    z = noisy(samples, 0.2, seed=5)
    predictions = {
        "Z": z,
        "X": scaled(samples, z, 1.02, 1.02, seed=0),
        "Y": scaled(samples, z, 0.8, 1.3, seed=1),
        "zero": {i: 0 * p for i, p in z.items()},
        "truth": {s["id"]: s["displacement"] for s in samples},
    }
    entries = [synthetic_results(m, samples, p, official=False) for m, p in predictions.items()]
    rows = boards(entries, 2000)[0].rows
    by_method = {row.method: row for row in rows}
    assert by_method["X"].rank > by_method["Y"].rank
    assert by_method["X"].estimates["mae"].value < by_method["Y"].estimates["mae"].value
    assert [row.method for row in rows] == ["truth", "Z", "Y", "X", "zero"]


def test_copy_under_another_name_ties(samples):
    original = synthetic_results("original", samples, noisy(samples, 0.1, seed=3))
    copy = {**original, "method": "copy"}
    rows = boards([original, copy])[0].rows
    assert [r.rank for r in rows] == [1, 1]
    assert all(r.versus_best is None or r.versus_best["mae"].value == 0 for r in rows)


def test_skill_by_magnitude(samples):
    predictions = noisy(samples, 0.1, seed=4)
    board = boards(
        [
            synthetic_results("method", samples, predictions),
            synthetic_results("zero", samples, {i: 0 * p for i, p in predictions.items()}),
        ]
    )[0]
    scores = magnitude_scores(board)
    magnitudes = np.array([s["magnitude"] for s in samples])
    (low, high), members = MAGNITUDE_BINS[0], (magnitudes >= 6.0) & (magnitudes < 6.5)
    first = scores["method"][0]
    assert (first.low, first.high, first.count) == (low, high, members.sum())
    # Skill against zero, from the per-sample sums: 1 - mae / mae(zero) over the bin.
    ids = [s["id"] for s, m in zip(samples, members, strict=True) if m]

    def bin_mae(method):
        stats = [board.row(method).results["per_sample"][i]["statistics"]["total"] for i in ids]
        return sum(s["abs_east"] + s["abs_north"] for s in stats) / sum(
            2 * s["count"] for s in stats
        )

    assert first.mae.value == pytest.approx(bin_mae("method"))
    assert first.skill.value == pytest.approx(1 - bin_mae("method") / bin_mae("zero"))
    assert first.skill.low <= first.skill.value <= first.skill.high
    assert scores["zero"][0].skill is None
    # Ten per cent noise: far better than zero in every bin.
    assert beats_zero_from(scores["method"]) == 6.0
    assert [s.count for s in scores["method"]][2:] == [0, 0]


def test_block_bootstrap_draws_blocks_together():
    blocks = np.array(["a", "a", "b", "c", "c", "c"])
    weights = block_resampling_weights(blocks, 500, seed=0)
    assert weights.shape == (500, 6)
    # Samples of a block always come together, and each replicate draws three blocks.
    assert np.all(weights[:, 0] == weights[:, 1]) and np.all(weights[:, 3] == weights[:, 5])
    assert np.all(weights[:, [0, 2, 3]].sum(axis=1) == 3)


def test_official_board_resamples_spatial_blocks(samples):
    board = boards([synthetic_results("m", samples, noisy(samples, 0.1, seed=6))])[0]
    records = pinned_records("mini", "prewarped")
    ids = sorted(s["id"] for s in samples)
    expected = spatial_blocks(ids, records, 256)
    assert board.blocks == len(set(expected.tolist())) < len(ids)
    assert board.widening is not None and board.widening > 0


def test_boards_refuse_duplicates_and_other_samples(samples):
    one = synthetic_results("a", samples, noisy(samples, 0.1, 1))
    with pytest.raises(QuakebenchError, match=r"b\.json: field method 'a' already has a row"):
        build_boards([("a.json", one), ("b.json", one)], BootstrapConfig(200))
    fewer = synthetic_results("c", samples[:-1], noisy(samples[:-1], 0.1, 1))
    with pytest.raises(QuakebenchError, match=r"c\.json: field per_sample holds other samples"):
        build_boards([("a.json", one), ("c.json", fewer)], BootstrapConfig(200))


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
    # Scores, comparisons and runs; then the two by magnitude.
    scores, _, runs = board_frames(boards([evil, honest], 200)[0])
    assert len(document.tables) == 5
    table = document.tables[0]
    assert len(table) == 3 and all(len(row) == len(scores.columns) for row in table)
    assert [row[1] for row in table[1:]] == [EVIL_METHOD, "honest"]
    table = document.tables[2]
    assert [row[:2] for row in table[1:]] == [[EVIL_METHOD, EVIL_VERSION], ["honest", "1.0"]]
    assert table[1][list(runs.columns).index("hardware")] == EVIL_HARDWARE
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
    # Each board: scores, comparisons and runs, then mae and skill by magnitude.
    assert len(document.tables) == 5 * len(built) == 10
    for k, board in enumerate(built):
        for table, frame in zip(
            document.tables[5 * k : 5 * k + 3], board_frames(board), strict=True
        ):
            assert table[0] == list(frame.columns)
            assert table[1:] == frame.to_numpy().tolist()
    # Per board: skill against magnitude, error against distance, the profiles across the
    # rupture, and the preview maps.
    assert len(document.tags("img")) == sum(3 + 3 for _ in built)


def boards_of(paths: list[Path]):
    return build_boards([(p, read_results(p, official=True)) for p in paths], BootstrapConfig(2000))
