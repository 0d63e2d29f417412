"""Scoring subcommands: ``evaluate`` and ``leaderboard``."""

from __future__ import annotations

import argparse
from pathlib import Path

from quakebench.atomic import atomic_path
from quakebench.cli.options import (
    config_from,
    config_option,
    dataset_from,
    dataset_options,
    output_file,
    output_folder,
)
from quakebench.config import EvaluationConfig, LeaderboardConfig
from quakebench.errors import QuakebenchError


def _extra(pairs: list[str] | None) -> tuple[tuple[str, str], ...]:
    """``KEY=VALUE`` options as pairs."""
    extra = []
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise QuakebenchError(f"--extra {pair!r}: expected KEY=VALUE")
        extra.append((key, value))
    return tuple(extra)


def _evaluate(args: argparse.Namespace) -> None:
    import pyarrow

    from quakebench.evaluate import evaluate, summary_table
    from quakebench.presets import superseded_revision
    from quakebench.results import write_results

    # Samples are decoded in a read-ahead thread and freed in this one: mimalloc, Arrow's
    # default pool, holds on to memory freed across threads (about 50 MB more at the peak).
    pyarrow.set_memory_pool(pyarrow.system_memory_pool())

    output = output_file(args.output, (".json",))
    config = config_from(
        EvaluationConfig,
        args,
        predictions=Path(args.predictions),
        data=dataset_from(args),
        plots=output_folder(args.plots),
        extra=_extra(args.extra_pairs),
    )
    results = evaluate(config)
    print(summary_table(results))
    dataset = results["dataset"]
    superseded = superseded_revision(dataset["name"], dataset["content_sha256"])
    if superseded and dataset["official_split_sha256"] is None:  # not scored as official
        print(f"scored on {superseded}")
    if output:
        write_results(results, output)
        print(f"results -> {output}")


def _leaderboard(args: argparse.Namespace) -> None:
    from quakebench.leaderboard.board import build_boards
    from quakebench.leaderboard.page import render_page
    from quakebench.leaderboard.table import markdown_tables, splice
    from quakebench.results import read_results

    output = output_file(args.output, (".md",))
    page = output_file(args.html, (".html",))
    config = config_from(
        LeaderboardConfig,
        args,
        results=tuple(map(Path, args.results)),
        output=output,
        html=page,
        maps=tuple(args.maps) if args.maps else None,
    )
    entries = [(path, read_results(path, config.official)) for path in config.results]
    boards = build_boards(entries, config.bootstrap)
    tables = markdown_tables(boards)
    if not (output or page):
        print(tables, end="")
    if output:
        splice(output, tables)
        print(f"{len(entries)} results in {len(boards)} tables -> {output}")
    if page:
        from quakebench.leaderboard.maps import preview_samples

        samples = {board.title: preview_samples(board, config.maps or ()) for board in boards}
        with atomic_path(page) as temporary:
            temporary.write_text(render_page(boards, config.bootstrap, samples))
        print(f"page -> {page}")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the scoring subcommands."""
    evaluate = commands.add_parser(
        "evaluate",
        help="score a predictions .npz against a dataset split",
        description=(
            "Score predictions (one [2, h, w] float array per sample id, east and north in "
            "pixels) on the valid pixels of a split: mean absolute error, end-point error, "
            "biases, errors by distance to the rupture, fault-offset bias. Samples are streamed "
            "one at a time."
        ),
        epilog=(
            "example: quakebench evaluate predictions.npz --dataset postwarped-256 "
            "--split validation --output results.json --plots plots/"
        ),
    )
    evaluate.add_argument("predictions", help="predictions .npz file")
    dataset_options(evaluate)
    config_option(evaluate, EvaluationConfig, "split", "split to score")
    evaluate.add_argument("--output", help="write the results JSON here")
    config_option(evaluate, EvaluationConfig, "plots", "folder for figures (maps, error profile)")
    config_option(
        evaluate, EvaluationConfig, "method", "method name (default: the predictions file's name)"
    )
    config_option(evaluate, EvaluationConfig, "method_version", "method version or commit")
    config_option(
        evaluate,
        EvaluationConfig,
        "runtime_s_per_sample",
        "method seconds per sample",
        "--runtime-per-sample",
        type=float,
    )
    config_option(evaluate, EvaluationConfig, "hardware", "hardware the runtime was measured on")
    evaluate.add_argument(
        "--extra",
        dest="extra_pairs",
        action="append",
        metavar="KEY=VALUE",
        help="a field of your own, kept under the results file's 'extra' (repeatable)",
    )
    evaluate.set_defaults(run=_evaluate, config=EvaluationConfig)

    leaderboard = commands.add_parser(
        "leaderboard",
        help="validate results files and build the leaderboard tables and page",
        description=(
            "Validate results files (quakebench evaluate --output): schema v4, labels, and "
            "aggregates equal to the re-aggregation of their per-sample statistics. Group them "
            "by dataset revision and split, best mae first, with bootstrap intervals over "
            "samples; a method ranks below the one above it only where the paired bootstrap "
            "interval of their difference excludes zero. Results on revisions that are not a "
            "pinned preset are shown apart as unofficial (or refused with --official)."
        ),
        epilog=(
            "example: quakebench leaderboard leaderboard/results/*.json "
            "--output leaderboard/README.md --html leaderboard/index.html"
        ),
    )
    leaderboard.add_argument("results", nargs="+", help="results JSON files")
    config_option(
        leaderboard,
        LeaderboardConfig,
        "output",
        "Markdown file whose tables are replaced (default: print them)",
    )
    config_option(leaderboard, LeaderboardConfig, "html", "write the HTML page here")
    config_option(
        leaderboard,
        LeaderboardConfig,
        "official",
        "refuse results not scored on a pinned preset revision",
    )
    leaderboard.add_argument(
        "--maps",
        action="append",
        metavar="DATASET",
        help="a dataset (folder or Hub name) to read the preview samples' pair and truth from, "
        "for the page's example maps (repeatable: one per dataset; default: no maps)",
    )
    config_option(leaderboard, LeaderboardConfig, "replicates", "bootstrap draws per interval")
    config_option(leaderboard, LeaderboardConfig, "seed", "seed of the bootstrap draws")
    config_option(leaderboard, LeaderboardConfig, "confidence", "coverage of the intervals")
    leaderboard.set_defaults(run=_leaderboard, config=LeaderboardConfig)
