"""The ``quakebench`` command: ``simulate`` end to end, and one-line errors on bad input."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from quakebench.cli import main


def test_simulate_writes_file_and_figure(tmp_path, capsys):
    output, figure = tmp_path / "quake.npz", tmp_path / "quake.png"
    status = main(
        [
            "simulate",
            "--seed",
            "5",
            "--size",
            "40",
            "--output",
            str(output),
            "--figure",
            str(figure),
        ]
    )
    assert status == 0
    with np.load(output, allow_pickle=False) as archive:
        assert set(archive.files) == {"displacement", "rupture", "scenario"}
        assert archive["displacement"].shape == (2, 40, 40)
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Mw" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--seed", "-3", "--output", "{tmp}/q.npz"], "seed must be non-negative"),
        (["--seed", "1", "--output", "{tmp}/q.txt"], "expected a file ending in .npz"),
        (["--seed", "1", "--output", "{tmp}/missing/q.npz"], "does not exist"),
        (["--seed", "1", "--size", "8", "--output", "{tmp}/q.npz"], "size must be at least"),
        (["--seed", "1", "--output", "{tmp}/q.npz", "--figure", "{tmp}/f.gif"], ".png"),
    ],
)
def test_bad_input_gets_one_line_error(tmp_path, capsys, arguments, message):
    status = main(["simulate", "--size", "32", *[a.format(tmp=tmp_path) for a in arguments]])
    error = capsys.readouterr().err
    assert status == 2
    assert message in error and error.count("\n") == 1 and "Traceback" not in error
    assert not (tmp_path / "q.npz").exists()


def test_console_script_help():
    result = subprocess.run(
        [sys.executable, "-m", "quakebench.cli", "simulate", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--pixel-size" in result.stdout and "example:" in result.stdout
