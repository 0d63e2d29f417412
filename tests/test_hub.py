"""Loading and scoring a dataset by its Hub name, against a local stand-in for the Hub.

The Hub itself cannot be reached from here: ``tests/local_hub.py`` serves a dataset folder on
127.0.0.1 with the Hub's read API, and the real ``datasets``/``huggingface_hub`` clients are
pointed at it with ``HF_ENDPOINT``. Everything else (resolution, download, streaming) is the
real code path of ``load_dataset("quakebench/postwarped")``.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from tests.local_hub import LocalHub
from tests.test_evaluate import write_reference
from tests.test_push import REPO, TOKEN, hub_env, quakebench


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


@pytest.mark.slow
def test_every_split_reader_takes_the_hub_address(prewarped_build, tmp_path):
    """A tiny build pushed as config ``mini``: baselines, training, prediction and scoring all
    read it by name, config and revision, at the commit the revision resolves to."""
    work = tmp_path / "work"
    work.mkdir()
    address = ["--dataset", REPO, "--config", "mini"]
    with LocalHub(token=TOKEN) as hub:
        env = hub_env(hub, tmp_path)
        push = ["push", str(prewarped_build), "--repo-id", REPO, "--config", "mini"]
        pushed = quakebench(push, env, work)
        assert pushed.returncode == 0, pushed.stderr[-2000:]
        commit = hub.repos[REPO].branches["main"]
        run = tmp_path / "run"
        steps = {
            "zero": ["baseline", "zero", *address, "--split", "test", "--output", "zero.npz"],
            "correlator": [
                "baseline",
                "correlator",
                *address,
                "--split",
                "test",
                "--output",
                "c.npz",
            ],
            "train": [
                "train",
                "--model",
                "flownets",
                *address,
                "--revision",
                "main",
                "--output",
                str(run),
                "--crop",
                "64",
                "--batch-size",
                "4",
                "--epochs",
                "1",
                "--device",
                "cpu",
            ],
            "predict": [
                "predict",
                "--model",
                "flownets",
                "--checkpoint",
                str(run / "best.pt"),
                *address,
                "--split",
                "test",
                "--output",
                "net.npz",
                "--device",
                "cpu",
            ],
            "evaluate": [
                "evaluate",
                "c.npz",
                *address,
                "--revision",
                "main",
                "--split",
                "test",
                "--output",
                "results.json",
            ],
        }
        for name, args in steps.items():
            done = quakebench(args, env, work)
            assert done.returncode == 0, (name, done.stderr[-2000:])
    for predictions in ("zero.npz", "c.npz", "net.npz"):
        with np.load(work / predictions) as archive:
            assert sorted(archive.files) == [f"prewarped-test-{k:06d}" for k in range(4)]
    results = json.loads((work / "results.json").read_text())
    assert results["dataset"]["hub"] == {
        "repo_id": REPO,
        "config": "mini",
        "revision": "main",
        "commit": commit,
    }
    assert results["num_samples"] == 4 and results["metrics"]["mae"] > 0
