"""Loading and scoring a dataset by its Hub name, against a local stand-in for the Hub.

The Hub itself cannot be reached from here: ``tests/local_hub.py`` serves a dataset folder on
127.0.0.1 with the Hub's read API, and the real ``datasets``/``huggingface_hub`` clients are
pointed at it with ``HF_ENDPOINT``. Everything else (resolution, download, streaming) is the
real code path of ``load_dataset("quakebench/postwarped")``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from baselines.reference import write_reference
from quakebench.data.build import BuildConfig, build
from tests.local_hub import LocalHub


def test_evaluate_by_hub_name(tmp_path):
    folder = tmp_path / "build"
    build(
        BuildConfig("postwarped", 10, 48, 5, folder, samples_per_shard=5), workers=1, progress=False
    )
    write_reference("truth", str(folder), "validation", tmp_path / "truth.npz", progress=False)
    work = tmp_path / "work"  # no local folder named like the dataset here
    work.mkdir()
    with LocalHub({"quakebench/postwarped": folder}) as hub:
        env = {**os.environ, "HF_ENDPOINT": hub.endpoint, "HF_HOME": str(tmp_path / "hf")}
        env.pop("HF_HUB_OFFLINE", None)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "quakebench.cli",
                "evaluate",
                str(tmp_path / "truth.npz"),
                "--dataset",
                "postwarped",
                "--output",
                str(tmp_path / "results.json"),
            ],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["dataset"]["hub"] == "quakebench/postwarped"
    assert (
        results["dataset"]["content_sha256"]
        == json.loads((folder / "manifest.json").read_text())["content_sha256"]
    )
    assert results["num_samples"] == 2 and results["metrics"]["mae"] == 0.0
    assert any("resolve" in r and r.endswith(".parquet") for r in hub.requests)
