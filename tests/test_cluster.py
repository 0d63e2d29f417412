"""Baselines on a Dask cluster: a real ``dask scheduler`` and two ``dask worker`` processes on
127.0.0.1, started here, write the same predictions file, byte for byte, as one process; an
interrupted run resumes from the shards already written."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from quakebench.cli import main
from quakebench.cluster import parts_folder, predict_shard
from quakebench.data.reader import local_shards, read_shard

LOOPBACK = ("--host", "127.0.0.1")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A scheduler and two single-threaded workers, as a user starts them on a cluster."""
    dask = shutil.which("dask", path=str(Path(sys.executable).parent)) or "dask"
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    started = [
        subprocess.Popen(
            [dask, "scheduler", "--port", str(port), "--no-dashboard", *LOOPBACK],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the scheduler did not start"
                time.sleep(0.2)
        for _ in range(2):
            started.append(
                subprocess.Popen(
                    [dask, "worker", address, "--nthreads", "1", "--no-dashboard", *LOOPBACK],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        from dask.distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in reversed(started):
            process.terminate()
        for process in started:
            process.wait(timeout=30)


def baseline(method: str, build: Path, output: Path, *cluster: str) -> bytes:
    argv = ["baseline", method, "--dataset", str(build), "--split", "train"]
    assert main([*argv, "--output", str(output), *cluster]) == 0
    return output.read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("method", ["correlator", "truth"])
def test_a_cluster_writes_the_bytes_of_one_process(prewarped_build, tmp_path, scheduler, method):
    alone = baseline(method, prewarped_build, tmp_path / "alone.npz")
    spread = baseline(method, prewarped_build, tmp_path / "spread.npz", "--scheduler", scheduler)
    assert spread == alone
    assert not parts_folder(tmp_path / "spread.npz").exists()


@pytest.mark.slow
def test_an_interrupted_run_resumes_from_its_parts(prewarped_build, tmp_path):
    """A part left by an interrupted run is kept, not predicted again: here it holds zero's
    predictions, so the resumed file shows them for that shard and the truth elsewhere."""
    from baselines.reference import REFERENCES

    baseline("truth", prewarped_build, tmp_path / "alone.npz")
    output = tmp_path / "resumed.npz"
    parts = parts_folder(output)
    parts.mkdir()
    first = local_shards(prewarped_build, "train")[0]
    predict_shard(REFERENCES["zero"], first, parts / f"{first.stem}.npz")
    kept = {str(sample["id"]) for sample in read_shard(first)}
    baseline("truth", prewarped_build, output, "--workers", "1")
    with np.load(output) as resumed, np.load(tmp_path / "alone.npz") as alone:
        assert resumed.files == alone.files and kept < set(resumed.files)
        for sample_id in resumed.files:
            expected = 0 * alone[sample_id] if sample_id in kept else alone[sample_id]
            np.testing.assert_array_equal(resumed[sample_id], expected)
