"""The one-window GPU recipe, run at a tiny size on the CPU as on a machine without GDAL or
``datasets``: regenerated samples match the pinned records, and the outputs are complete."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from baselines.models.window import CALIBRATION_STEPS, VALIDATIONS, fitted_steps
from quakebench.results import read_results


def test_steps_fill_the_share_left():
    # 100 s left, 1 s of start-up and validation each, 0.1 s a step: (100 - 4) / 0.1 steps
    assert fitted_steps(100.0, 0.1, 1.0) == int((100 - VALIDATIONS) / 0.1)
    assert fitted_steps(1.0, 0.1, 1.0) == CALIBRATION_STEPS  # never fewer than were timed


@pytest.mark.slow
def test_tiny_window_on_cpu_without_gdal_or_datasets(tmp_path):
    """The whole command, with rasterio, datasets and dask made unimportable (the GPU machine
    has none of them): four networks trained, scored, and their results written."""
    blocker = tmp_path / "site" / "sitecustomize.py"
    blocker.parent.mkdir()
    blocker.write_text(
        textwrap.dedent(
            """
            import sys
            ABSENT = {"rasterio", "datasets", "dask", "distributed"}
            class Absent:
                def find_spec(self, name, path=None, target=None):
                    if name.split(".")[0] in ABSENT:
                        raise ImportError(f"No module named {name!r} (not on the GPU machine)")
            sys.meta_path.insert(0, Absent())
            """
        )
    )
    output = tmp_path / "out"
    command = [
        sys.executable, "benchmarks/gpu_window.py", "run",
        "--output", str(output), "--work", str(tmp_path / "work"),
        "--steps", "2", "--validation-samples", "1", "--test-samples", "2",
        "--bank-fields", "3", "--bank-size", "64", "--batch-size", "2", "--workers", "2",
    ]  # fmt: skip
    env = {"PYTHONPATH": f"{blocker.parent}:.", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "3 samples bit-identical to the pinned records" in done.stdout

    summary = json.loads((output / "window.json").read_text())
    assert list(summary["networks"]) == ["flownets", "strainnet", "flownetsd", "refiner"]
    for model, network in summary["networks"].items():
        assert network["steps"] == 2 and network["log"][-1]["step"] == 2
        results = read_results(output / f"prewarped-mini-{model}-window.json")
        assert results["method"] == model and results["num_samples"] == 2
        assert results["extra"]["steps"] == "2" and results["extra"]["samples_seen"] == "4"
        assert 0 < results["metrics"]["mae"] < 1
        # two of the 100 test samples: scored, but not the official split
        assert results["dataset"]["preset"] is None
        overrides = "refiner overrides: learning_rate 0.001" in results["extra"]["recipe"]
        assert overrides == (model == "refiner")  # its own recipe (RECIPES), and only its
    assert (output / "window_curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (output / "window_log.csv").read_text().count("\n") == 1 + 4
    assert len(list(output.iterdir())) <= 8  # what a device run can bring back
