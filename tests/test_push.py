"""``quakebench push`` against the loopback Hub, and reading back by name, tag and streaming.

The Hub cannot be reached from here: ``tests/local_hub.py`` stands in for the network boundary
on 127.0.0.1. The real ``huggingface_hub`` and ``datasets`` clients run in subprocesses pointed
at it (``HF_ENDPOINT``), through Git LFS (``HF_HUB_DISABLE_XET=1``: the stand-in serves no Xet).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import huggingface_hub
import pytest

from baselines.generator.samples.source import build_with_generator
from quakebench.cli import main
from quakebench.data.content import sample_digest
from quakebench.data.manifest import read_manifest
from quakebench.data.reader import iter_samples, load_split
from quakebench.hub.card import check_card, hub_card
from tests.conftest import tiny_config
from tests.local_hub import LocalHub
from tests.test_evaluate import write_reference

REPO = "quakebench/prewarped"
TOKEN = "hf_loopbackSECRETtoken0123456789"
SPLITS = ("train", "validation", "test")

READ_BACK = """
import json, sys
from quakebench.data.content import sample_digest
from quakebench.data.reader import iter_samples, load_split
repo, config, revision, streaming = json.loads(sys.argv[1])
out = {}
for split in ("train", "validation", "test"):
    for sample in iter_samples(load_split(repo, split, revision, streaming, config=config)):
        out[sample["id"]] = sample_digest(sample)
print(json.dumps(out))
"""


def local_digests(folder: Path) -> dict[str, str]:
    return {
        s["id"]: sample_digest(s)
        for split in SPLITS
        for s in iter_samples(load_split(folder, split))
    }


def hub_env(hub: LocalHub, tmp_path: Path) -> dict:
    env = {**os.environ, "HF_ENDPOINT": hub.endpoint, "HF_TOKEN": TOKEN}
    env |= {"HF_HOME": str(tmp_path / "hf"), "HF_HUB_DISABLE_XET": "1"}
    for offline in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"):
        env.pop(offline, None)
    return env


def quakebench(args: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "quakebench.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def read_back(env: dict, cwd: Path, config=None, revision=None, streaming=False) -> dict:
    arguments = json.dumps([REPO, config, revision, streaming])
    result = subprocess.run(
        [sys.executable, "-c", READ_BACK, arguments],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def shard_hashes(folder: Path) -> set[str]:
    return {shard["sha256"] for shard in read_manifest(folder)["shards"]}


@pytest.fixture
def work(tmp_path) -> Path:
    """A working folder with no local folder named like the dataset."""
    (tmp_path / "work").mkdir()
    return tmp_path / "work"


@pytest.fixture(scope="module")
def other_build(tmp_path_factory) -> Path:
    """A second, smaller prewarped build: another revision of the same config."""
    folder = tmp_path_factory.mktemp("other")
    build_with_generator(
        tiny_config("prewarped", folder, num_samples=5, num_test_samples=2), progress=False
    )
    return folder


@pytest.mark.slow
def test_push_then_load_by_name_tag_streaming_and_evaluate(prewarped_build, tmp_path, work):
    expected = local_digests(prewarped_build)
    manifest = read_manifest(prewarped_build)
    tag = f"tiny-{manifest['content_sha256'][:8]}"
    write_reference("truth", prewarped_build, tmp_path / "truth.npz")
    with LocalHub(token=TOKEN) as hub:
        env = hub_env(hub, tmp_path)
        pushed = quakebench(
            ["push", str(prewarped_build), "--repo-id", REPO, "--config", "tiny"], env, work
        )
        assert pushed.returncode == 0, pushed.stderr[-3000:]
        repo = hub.repos[REPO]
        commit = repo.branches["main"]
        assert repo.tags == {tag: commit}
        assert f"{hub.endpoint}/datasets/{REPO}/commit/{commit}" in pushed.stdout
        files = set(repo.commits[commit])
        assert {"README.md", "tiny/manifest.json"} <= files
        assert {f"tiny/{Path(s['file']).name}" for s in manifest["shards"]} <= files
        assert read_back(env, work) == expected  # the only config is the default
        assert read_back(env, work, "tiny", revision=tag) == expected
        assert read_back(env, work, "tiny", streaming=True) == expected
        evaluate = ["evaluate", str(tmp_path / "truth.npz"), "--dataset", REPO]
        evaluate += ["--config", "tiny", "--revision", tag]
        scored = quakebench(
            [*evaluate, "--output", str(tmp_path / "results.json")],
            env,
            work,
        )
        assert scored.returncode == 0, scored.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["dataset"]["hub"] == {
        "repo_id": REPO,
        "config": "tiny",
        "revision": tag,
        "commit": commit,
    }
    assert results["metrics"]["mae"] == 0.0
    # The token is never printed nor written.
    for output in (pushed.stdout, pushed.stderr, scored.stdout, scored.stderr):
        assert TOKEN not in output
    for folder in (tmp_path, prewarped_build):
        for path in folder.rglob("*"):
            if path.is_file():
                assert TOKEN.encode() not in path.read_bytes(), path


@pytest.mark.slow
def test_interrupted_push_resumes_without_resending(prewarped_build, tmp_path, work):
    args = [sys.executable, "-m", "quakebench.cli", "push", str(prewarped_build)]
    args += ["--repo-id", REPO, "--config", "tiny", "--batch-files", "2"]
    with LocalHub(token=TOKEN) as hub:
        env = hub_env(hub, tmp_path)
        hub.stall_uploads = 3
        process = subprocess.Popen(
            args, env=env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 300
        while len(hub.uploads) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        process.send_signal(signal.SIGKILL)  # the machine goes away mid-upload
        process.wait()
        assert len(hub.uploads) == 3
        # Nothing was committed: main holds no part of the build.
        assert not any(
            p.startswith("tiny/") for p in hub.repos[REPO].commits[hub.repos[REPO].branches["main"]]
        )
        hub.stall_uploads = None
        hub.released.set()
        time.sleep(0.5)  # let the held upload finish or fail
        before = len(hub.uploads)
        resumed = quakebench(args[3:], env, work)
        assert resumed.returncode == 0, resumed.stderr[-3000:]
        counts = Counter(hub.uploads)
        assert set(counts) == shard_hashes(prewarped_build)
        assert max(counts.values()) == 1  # nothing sent twice
        # The rerun sent exactly what the Hub lacked.
        assert set(hub.uploads[before:]) == shard_hashes(prewarped_build) - set(
            hub.uploads[:before]
        )
        assert read_back(env, work, "tiny") == local_digests(prewarped_build)


@pytest.mark.slow
def test_push_interrupted_before_the_commit_leaves_the_previous_revision(
    prewarped_build, other_build, tmp_path, work
):
    first = ["push", str(prewarped_build), "--repo-id", REPO, "--config", "tiny"]
    second = ["push", str(other_build), "--repo-id", REPO, "--config", "tiny"]
    with LocalHub(token=TOKEN) as hub:
        env = hub_env(hub, tmp_path)
        assert quakebench(first, env, work).returncode == 0
        hub.fail_commits = 1
        failed = quakebench(second, env, work)
        assert failed.returncode == 2
        message = failed.stderr.strip().splitlines()[-1]  # after the progress bars
        assert message.startswith("quakebench: error: ") and "Traceback" not in failed.stderr
        assert "while committing" in message
        assert "run it again to resume" in message and TOKEN not in message
        # The shards of the second build reached the Hub, but no revision shows them.
        assert shard_hashes(other_build) <= set(hub.uploads)
        assert read_back(env, work, "tiny") == local_digests(prewarped_build)
        sent = Counter(hub.uploads)
        assert quakebench(second, env, work).returncode == 0
        assert Counter(hub.uploads) == sent  # the rerun only committed
        assert read_back(env, work, "tiny") == local_digests(other_build)
        stale = set(hub.repos[REPO].commits[hub.repos[REPO].branches["main"]])
        assert {p for p in stale if p.startswith("tiny/")} == {
            f"tiny/{Path(s['file']).name}" for s in read_manifest(other_build)["shards"]
        } | {"tiny/manifest.json"}


def copy_build(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / "build"
    shutil.copytree(folder, target)
    return target


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("unfinished", "manifest.json: build not finished"),
        ("corrupt", "not publishable: data/"),
        ("licence", "dataset card lacks license"),
    ],
)
def test_refusals_come_before_any_request(
    prewarped_build, tmp_path, monkeypatch, capsys, damage, message
):
    folder = copy_build(prewarped_build, tmp_path)
    if damage == "unfinished":
        manifest = json.loads((folder / "manifest.json").read_text())
        (folder / "manifest.json").write_text(json.dumps({**manifest, "complete": False}))
    elif damage == "corrupt":
        shard = sorted((folder / "data").glob("*.parquet"))[0]
        data = bytearray(shard.read_bytes())
        data[len(data) // 2] ^= 0xFF
        shard.write_bytes(bytes(data))
    else:
        card = (folder / "README.md").read_text()
        (folder / "README.md").write_text(card.replace("license: cc-by-4.0\n", ""))
    with LocalHub(token=TOKEN) as hub:
        monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", hub.endpoint)
        status = main(["push", str(folder), "--repo-id", REPO, "--config", "tiny"])
        assert hub.requests == []
    error = capsys.readouterr().err.strip()
    assert status == 2 and len(error.splitlines()) == 1 and message in error


def test_hub_card_keeps_the_other_configs(prewarped_build):
    local = (prewarped_build / "README.md").read_text()
    manifest = read_manifest(prewarped_build)
    full = hub_card(local, "full", None)
    both = hub_card(local, "mini", full)
    card = check_card(both, manifest, "README.md")
    configs = {c["config_name"]: c for c in card.data.to_dict()["configs"]}
    assert set(configs) == {"full", "mini"} and configs["full"].get("default") is True
    assert configs["mini"]["data_files"][0]["path"].startswith("mini/")
    infos = card.data.to_dict()["dataset_info"]
    assert sorted(i["config_name"] for i in infos) == ["full", "mini"]
    assert "Configs in this repository: `full` (default), `mini`" in both
