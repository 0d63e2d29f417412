"""The leaderboard table from results files, and its errors."""

from __future__ import annotations

import json

import pytest

from quakebench.cli import main
from quakebench.errors import QuakebenchError
from quakebench.leaderboard import leaderboard_table


def results(method: str, mae: float) -> dict:
    return {
        "method": method,
        "method_version": "1",
        "split": "validation",
        "num_samples": 4,
        "dataset": {
            "dataset": "postwarped",
            "num_samples": 16,
            "size": 256,
            "content_sha256": "abcdef0123456789",
        },
        "metrics": {
            "mae": mae,
            "mae_east": mae,
            "mae_north": mae,
            "epe": 2 * mae,
            "bands": {"d<=2": {"mae": 3 * mae}, "d>32": {"mae": None}},
            "fault_offset_bias": -0.5,
        },
        "runtime_s_per_sample": None,
        "hardware": None,
        "date": "2026-11-24",
    }


def test_table_is_sorted_by_mae(tmp_path):
    paths = []
    for method, mae in (("zero", 0.2), ("correlator", 0.05), ("truth", 0.0)):
        paths.append(tmp_path / f"{method}.json")
        paths[-1].write_text(json.dumps(results(method, mae)))
    table = leaderboard_table(paths)
    lines = table.splitlines()
    assert [line.split(" | ")[0].strip("| ") for line in lines[2:]] == [
        "truth",
        "correlator",
        "zero",
    ]
    assert "postwarped (16 x 256 px, abcdef01)" in lines[2] and "0.1500" in lines[3]
    board = tmp_path / "README.md"
    board.write_text("# Board\n<!-- leaderboard:start -->\nold\n<!-- leaderboard:end -->\nend\n")
    assert main(["leaderboard", *map(str, paths), "--output", str(board)]) == 0
    text = board.read_text()
    assert "old" not in text and text.startswith("# Board") and text.endswith("end\n")
    assert "| correlator |" in text


def test_bad_results_file_is_named(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"method": "x"}))
    with pytest.raises(QuakebenchError, match=r"bad\.json: results file lacks field 'dataset'"):
        leaderboard_table([bad])
