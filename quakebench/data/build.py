"""Building a dataset folder: shards in parallel with Dask, resumable, byte-for-byte reproducible.

The folder is a Hugging Face dataset repository::

    DIR/README.md                                   dataset card (YAML configs + dataset_info)
    DIR/manifest.json                               parameters, shard checksums, content hash
    DIR/data/train-00000-of-00004.parquet ...       shards
    DIR/data/validation-00000-of-00001.parquet ...

Each shard is one Dask task that renders its samples one at a time and writes them atomically.
An interrupted build resumes: shards already on disk are checked and kept, the rest are built.
A sample source (:class:`~quakebench.data.source.SampleSource`; the command line passes the
generator's) renders the samples: this module plans, resumes, runs Dask and writes the shards,
the manifest and the card, and imports no generator code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import datasets
from tqdm.auto import tqdm

from quakebench import __version__
from quakebench.atomic import atomic_path
from quakebench.cluster import dask_client
from quakebench.config import BuildConfig
from quakebench.contract import SPLITS, parse_sample_id, sample_id, split_of
from quakebench.data.card import render_card
from quakebench.data.environment import build_environment
from quakebench.data.manifest import MANIFEST, read_manifest, write_manifest
from quakebench.data.revision import DIFFERENT, check_records, folder_records
from quakebench.data.schema import sample_features
from quakebench.data.shards import (
    ShardInfo,
    read_ids,
    read_shard_info,
    shard_name,
    stored,
    write_shard,
)
from quakebench.data.source import SampleSource
from quakebench.errors import QuakebenchError
from quakebench.presets import pinned_records

SHARD_TARGET_BYTES = 500e6
"""Shards of about 500 MB, the most ``datasets`` itself writes (one sample per row group, 9.4 MB
at 1024 x 1024, far below the Dataset Viewer's row-group limit of about 286 MiB)."""

BYTES_PER_PIXEL = 9.4
"""Compressed bytes per pixel of a sample, measured on 1024 x 1024 builds (benchmarks/build.py)."""


def shard_samples(config: BuildConfig) -> int:
    """Samples per shard: as configured, else enough for about 500 MB."""
    if config.samples_per_shard is not None:
        return config.samples_per_shard
    return max(1, int(SHARD_TARGET_BYTES / (BYTES_PER_PIXEL * config.size**2)))


@dataclass(frozen=True)
class ShardPlan:
    """One shard to build: its file name, split and sample indices."""

    name: str
    split: str
    indices: tuple[int, ...]


def plan_shards(config: BuildConfig) -> list[ShardPlan]:
    """Every shard of a build, samples in index order within each split."""
    plans = []
    for split in SPLITS:
        if split == "test":
            indices = list(range(config.num_test_samples))
        else:
            indices = [i for i in range(config.num_samples) if split_of(i) == split]
        chunks = [
            tuple(indices[i : i + shard_samples(config)])
            for i in range(0, len(indices), shard_samples(config))
        ]
        plans += [
            ShardPlan(shard_name(split, k, len(chunks)), split, chunk)
            for k, chunk in enumerate(chunks)
        ]
    return plans


def build_features(config: BuildConfig, source: SampleSource) -> datasets.Features:
    """The features of a build: the first image keeps uint16 digital numbers, else float32."""
    return sample_features(config.size, source.pre_dtype)


def build_shard(config: BuildConfig, plan: ShardPlan, source: SampleSource) -> ShardInfo:
    """Render and write one shard (runs on a Dask worker)."""
    samples = (source.sample(plan.split, index) for index in plan.indices)
    features = build_features(config, source)
    return write_shard(config.output, plan.name, plan.split, samples, features)


def render_samples(config: BuildConfig, source: SampleSource, ids: Iterable[str]) -> Iterator[dict]:
    """Samples of a build by id, as its shards would store them, without building the rest.

    Each is rendered from ``(dataset, seed, split, index)`` alone, as in a whole build.
    """
    features = build_features(config, source)
    for text in ids:
        dataset, split, index = parse_sample_id(text)
        if dataset != config.dataset:
            raise QuakebenchError(f"{text}: not a {config.dataset} sample")
        size = config.num_test_samples if split == "test" else config.num_samples
        if index >= size:
            raise QuakebenchError(f"{text}: this build has {size} {split} indices")
        yield stored(source.sample(split, index), features)


def _existing(config: BuildConfig, plan: ShardPlan) -> ShardInfo | None:
    """The shard already on disk from an interrupted run, or None."""
    path = config.output / plan.name
    if not path.exists():
        return None
    expected = [sample_id(config.dataset, i, plan.split) for i in plan.indices]
    if read_ids(path) != expected:
        raise QuakebenchError(
            f"{path}: holds other samples than this build's; build into a new folder"
        )
    return read_shard_info(config.output, plan.name, plan.split)


def build_parameters(config: BuildConfig, source: SampleSource) -> dict:
    """The parameters recorded in the manifest (a resumed build must match them)."""
    return {
        "dataset": config.dataset,
        "preset_parameters": config.preset,
        "num_samples": config.num_samples,
        "num_test_samples": config.num_test_samples,
        "size": config.size,
        "seed": config.seed,
        "min_valid_fraction": config.min_valid_fraction,
        "samples_per_shard": shard_samples(config),
        "generator": source.generator,
        "quakebench": __version__,
        "scenes": source.scenes,
        "places": source.places,
    }


def preset_revision(config: BuildConfig, progress: bool = False) -> dict:
    """The manifest's ``preset`` and ``revision``: what a finished build is.

    A build with a preset whose records are pinned names the preset only when it is official
    or numerically equivalent (:mod:`quakebench.data.revision`); otherwise ``preset`` is None
    and ``revision`` says what differs. A preset without pinned records (``full``) is named as
    built.
    """
    if config.preset is None:
        return {"preset": None, "revision": None}
    if not pinned_records(config.preset, config.dataset):
        return {
            "preset": config.preset,
            "revision": {"preset": config.preset, "status": "unpinned"},
        }
    check = check_records(
        config.dataset, config.preset, folder_records(config.output, progress=progress)
    )
    return {
        "preset": None if check.status == DIFFERENT else config.preset,
        "revision": {"preset": config.preset, "status": check.status, "summary": check.summary()},
    }


def _start(config: BuildConfig, parameters: dict) -> None:
    """Create the folder, or check that it holds an unfinished build of the same parameters.

    Temporary files left by a killed run (``data/.*.tmp.parquet``) are removed.
    """
    config.output.mkdir(parents=True, exist_ok=True)
    for leftover in (config.output / "data").glob(".*.tmp.parquet"):
        leftover.unlink()
    if (config.output / MANIFEST).exists():
        recorded = read_manifest(config.output)
        differing = sorted(k for k in parameters if recorded.get(k) != parameters[k])
        if differing:
            raise QuakebenchError(
                f"{config.output} holds a build with other {', '.join(differing)}; "
                "build into a new folder"
            )
    else:
        write_manifest(config.output, {**parameters, "complete": False}, [])


def build(config: BuildConfig, source: SampleSource, progress: bool = True) -> dict:
    """Build (or finish building) a dataset folder with samples from ``source``; returns the
    manifest.

    Shards are built on ``config.scheduler`` if given, else on a local cluster of
    ``config.workers`` processes (one per core by default).
    """
    from dask.distributed import as_completed

    source.check(split for split in SPLITS if config.split_size(split))
    parameters = build_parameters(config, source)
    _start(config, parameters)
    plans = plan_shards(config)
    done = [info for plan in plans if (info := _existing(config, plan)) is not None]
    todo = [plan for plan in plans if not (config.output / plan.name).exists()]

    bar = tqdm(
        total=config.num_samples + config.num_test_samples,
        initial=sum(info.num_samples for info in done),
        unit="sample",
        desc=f"{config.dataset} {config.size}px",
        disable=not progress,
    )
    if todo:
        with dask_client(config.workers, config.scheduler) as client:
            shared = client.scatter(source, broadcast=True)  # once per worker, not per task
            futures = [
                client.submit(build_shard, config, plan, shared, pure=False) for plan in todo
            ]
            for future in as_completed(futures):
                info = future.result()
                done.append(info)
                bar.update(info.num_samples)
            client.cancel(futures)
    bar.close()

    revision = preset_revision(config, progress)
    manifest = write_manifest(
        config.output,
        {
            **parameters,
            **revision,
            "complete": True,
            "noise_px": source.noise_px,
            "environment": build_environment(),
        },
        done,
    )
    card = render_card(manifest, build_features(config, source), done)
    with atomic_path(config.output / "README.md") as temporary:
        temporary.write_text(card)
    return manifest
