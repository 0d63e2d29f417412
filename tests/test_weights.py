"""Trained weights on the Hub: ``quakebench push-model`` publishes a checkpoint to a model
repository of the loopback Hub (``tests/local_hub.py``: the real ``huggingface_hub`` client over
HTTP, as the dataset push is tested), and ``quakebench predict --weights REPO@REVISION``
downloads it once, checks its SHA-256 and reproduces the results file it scored, exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.local_hub import MODEL, LocalHub
from tests.test_push import TOKEN, hub_env, quakebench

REPO = "someone/flownets"


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory) -> Path:
    """A FlowNetS checkpoint as ``quakebench train`` writes one (untrained weights, seed 0)."""
    import torch

    from baselines.models.registry import MODELS

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("run") / "best.pt"
    network = MODELS["flownets"]()
    torch.save(
        {"model": "flownets", "weights": network.state_dict(), "zero_motion": "subtract"}, path
    )
    return path


def scored(env: dict, cwd: Path, build: Path, name: str, *weights: str) -> dict:
    """Predict the test split with the given weights (``--checkpoint`` or ``--weights``), then
    evaluate; returns the results file."""
    predictions = cwd / f"{name}.npz"
    predict = ["predict", "--model", "flownets", *weights, "--dataset", str(build)]
    done = quakebench(
        [*predict, "--split", "test", "--device", "cpu", "--output", str(predictions)], env, cwd
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = cwd / f"{name}.json"
    evaluate = ["evaluate", str(predictions), "--dataset", str(build), "--split", "test"]
    done = quakebench([*evaluate, "--method", "flownets", "--output", str(results)], env, cwd)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(results.read_text())


@pytest.mark.slow
def test_pushed_weights_reproduce_their_results(prewarped_build, checkpoint, tmp_path):
    with LocalHub(token=TOKEN) as hub:
        env = hub_env(hub, tmp_path)
        local = scored(env, tmp_path, prewarped_build, "local", "--checkpoint", str(checkpoint))
        push = ["push-model", str(checkpoint), "--model", "flownets", "--repo-id", REPO]
        done = quakebench([*push, "--results", str(tmp_path / "local.json")], env, tmp_path)
        assert done.returncode == 0, done.stderr[-2000:]
        commit = hub.repos[MODEL + REPO].branches["main"]
        assert f"{REPO}@{commit}" in done.stdout

        for name in ("hub", "hub-again"):
            remote = scored(env, tmp_path, prewarped_build, name, "--weights", f"{REPO}@main")
            assert remote["metrics"] == local["metrics"]
        assert (tmp_path / "hub.npz").read_bytes() == (tmp_path / "local.npz").read_bytes()
        fetched = [r for r in hub.requests if r.startswith("GET") and "/resolve/" in r]
        assert sum(r.endswith("/model.pt") for r in fetched) == 1  # once, then the cache

        files = hub.repos[MODEL + REPO].commits[commit]
        card = hub._data(files["README.md"]).decode()
        assert "license: mit" in card and "mae px" in card and "bibtex" in card

        cached = next((tmp_path / "hf").rglob("model.pt")).resolve()
        damaged = bytearray(cached.read_bytes())
        damaged[len(damaged) // 2] ^= 0xFF
        cached.write_bytes(bytes(damaged))
        predict = ["predict", "--model", "flownets", "--weights", f"{REPO}@{commit}"]
        done = quakebench(
            [*predict, "--dataset", str(prewarped_build), "--output", str(tmp_path / "x.npz")],
            env,
            tmp_path,
        )
        assert done.returncode == 2 and "does not match the SHA-256" in done.stderr
        assert "Traceback" not in done.stderr
