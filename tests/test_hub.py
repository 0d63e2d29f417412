"""Loading and scoring a dataset by its Hub name, against a local stand-in for the Hub.

The Hub itself cannot be reached from here: ``tests/local_hub.py`` serves a dataset folder on
127.0.0.1 with the Hub's read API, and the real ``datasets``/``huggingface_hub`` clients are
pointed at it with ``HF_ENDPOINT``. Everything else (resolution, download, streaming) is the
real code path of ``load_dataset("quakebench/postwarped")``.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.local_hub import LocalHub
from tests.test_evaluate import write_reference
from tests.test_push import quakebench


@pytest.mark.slow
def test_evaluate_by_hub_name(postwarped_build, tmp_path):
    folder = postwarped_build
    write_reference("truth", folder, tmp_path / "truth.npz")
    work = tmp_path / "work"  # no local folder named like the dataset here
    work.mkdir()
    with LocalHub({"quakebench/postwarped": folder}) as hub:
        env = {**os.environ, "HF_ENDPOINT": hub.endpoint, "HF_HOME": str(tmp_path / "hf")}
        env.pop("HF_HUB_OFFLINE", None)
        evaluate = ["evaluate", str(tmp_path / "truth.npz"), "--dataset", "postwarped"]
        result = quakebench([*evaluate, "--output", str(tmp_path / "results.json")], env, work)
    assert result.returncode == 0, result.stderr[-2000:]
    results = json.loads((tmp_path / "results.json").read_text())
    record = results["dataset"]["hub"]
    assert record["repo_id"] == "quakebench/postwarped" and record["config"] == "default"
    assert len(record["commit"]) == 40 and record["revision"] == "main"
    assert (
        results["dataset"]["content_sha256"]
        == json.loads((folder / "manifest.json").read_text())["content_sha256"]
    )
    assert results["num_samples"] == 3 and results["metrics"]["mae"] == 0.0
    assert any("resolve" in r and r.endswith(".parquet") for r in hub.requests)
