"""Scoring subcommands: ``evaluate`` and ``leaderboard``."""

from __future__ import annotations

import argparse
from pathlib import Path

from quakebench.cli.options import config_from, config_option, optional_path, output_file
from quakebench.config import EvaluationConfig


def _evaluate(args: argparse.Namespace) -> None:
    from quakebench.evaluate import evaluate, summary_table, write_results

    output = output_file(args.output, (".json",))
    config = config_from(
        EvaluationConfig, args, predictions=Path(args.predictions), plots=optional_path(args.plots)
    )
    results = evaluate(config)
    print(summary_table(results))
    if output:
        write_results(results, output)
        print(f"results -> {output}")


def _leaderboard(args: argparse.Namespace) -> None:
    from quakebench.leaderboard import leaderboard_table, splice_table

    table = leaderboard_table(args.results)
    if not args.output:
        print(table, end="")
        return
    splice_table(args.output, table)
    print(f"{len(args.results)} rows -> {args.output}")


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
    config_option(
        evaluate, EvaluationConfig, "dataset", "dataset folder, or prewarped / postwarped (Hub)"
    )
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
    evaluate.set_defaults(run=_evaluate, config=EvaluationConfig)

    leaderboard = commands.add_parser(
        "leaderboard",
        help="build the leaderboard table from results files",
        description=(
            "A Markdown table of results files (quakebench evaluate --output), best mae first. "
            "With --output, the table replaces the one between the leaderboard markers."
        ),
        epilog=(
            "example: quakebench leaderboard leaderboard/results/*.json "
            "--output leaderboard/README.md"
        ),
    )
    leaderboard.add_argument("results", nargs="+", help="results JSON files")
    leaderboard.add_argument("--output", help="Markdown file to update (default: print)")
    leaderboard.set_defaults(run=_leaderboard)
