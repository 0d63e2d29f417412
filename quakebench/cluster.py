"""Work on a Dask cluster: a local one, or a running scheduler's (e.g. from dask-jobqueue).

:func:`dask_client` is the one way quakebench connects: ``generate`` builds shards on it, and
:func:`predict_on_cluster` runs a method over a split of a local build, one task a shard.
Each task writes the predictions of its shard to a part file (atomically), so an interrupted
run resumes from the shards already done; the parts are then joined, in the order a
one-process run writes them, into one predictions file with the same bytes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from quakebench.data.reader import local_shards, read_shard
from quakebench.errors import QuakebenchError
from quakebench.predictions import PredictionWriter, Predictor


@contextlib.contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator:
    """A ``dask.distributed.Client`` of ``scheduler`` if given, else of a local cluster of
    ``workers`` single-threaded processes (one per core by default)."""
    from dask.distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(Client(scheduler))
        else:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",  # no fixed port: runs may go side by side
                )
            )
            client = stack.enter_context(Client(cluster))
        yield client


def parts_folder(output: Path) -> Path:
    """Where a cluster run keeps the predictions of each finished shard until they are joined."""
    return output.with_name(f".{output.name}.parts")


def predict_shard(predictor: Predictor, shard: Path, part: Path) -> tuple[int, float]:
    """Predict every sample of one shard into a part file; returns (samples, seconds)."""
    started = time.perf_counter()
    count = 0
    with PredictionWriter(part) as writer:
        for sample in read_shard(shard):
            writer.write(str(sample["id"]), predictor(sample))
            count += 1
    return count, time.perf_counter() - started


def predict_on_cluster(
    predictor: Predictor,
    folder: str | os.PathLike,
    split: str,
    output: str | os.PathLike,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> tuple[int, float]:
    """Run ``predictor`` over a local build's split on a Dask cluster, one task a shard.

    The predictions file has the bytes :func:`~quakebench.predictions.write_predictions`
    writes in one process, for a method whose output does not depend on the process (the
    correlator, zero, truth; a network's only on the same processor and thread count).

    Returns
    -------
    (int, float)
        Samples predicted, and seconds of prediction per sample (summed over the workers).
    """
    folder, output = Path(folder), Path(output)
    if not folder.is_dir():
        raise QuakebenchError(f"{folder}: a cluster run reads a local build folder")
    shards = local_shards(folder, split)
    parts = parts_folder(output)
    parts.mkdir(exist_ok=True)
    names = [parts / f"{shard.stem}.npz" for shard in shards]
    todo = [(s, p) for s, p in zip(shards, names, strict=True) if not p.exists()]
    seconds = 0.0
    with tqdm(total=len(shards), initial=len(shards) - len(todo), unit="shard",
              desc=f"predict {split}", disable=not progress) as bar:  # fmt: skip
        if todo:
            from dask.distributed import as_completed

            with dask_client(workers, scheduler) as client:
                shared = client.scatter(predictor, broadcast=True)
                futures = [
                    client.submit(predict_shard, shared, shard, part, pure=False)
                    for shard, part in todo
                ]
                for future in as_completed(futures):
                    seconds += future.result()[1]
                    bar.update()
    count = join_parts(names, output)
    shutil.rmtree(parts)
    return count, seconds / max(count, 1)


def join_parts(parts: list[Path], output: Path) -> int:
    """Join part files, in order, into one predictions file; returns the samples written."""
    count = 0
    with PredictionWriter(output) as writer:
        for part in parts:
            with np.load(part, allow_pickle=False) as arrays:  # written by predict_shard
                for sample_id in arrays.files:
                    writer.write(sample_id, arrays[sample_id])
                    count += 1
    return count
