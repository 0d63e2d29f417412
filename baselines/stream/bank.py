"""A bank of simulated displacement fields: the expensive half of a training pair, made once.

Rendering a pair is cheap (a crop, a quintic warp); the physics is not (seconds per field).
A bank holds fields simulated once, with their rupture traces and scenarios, for the training
stream (:mod:`.stream`) to warp onto fresh crops of training places. Fields depend on the
pixel size (15 m panchromatic, 30 m multispectral places), so the bank keeps one folder per
pixel size and tile side::

    BANK/15m-256px/field-000000.npz   (quakebench simulate's format)

A field's earthquake seed is drawn from ``(bank seed, k)``, so field ``k`` is the same in every
bank of that seed; the bank is built in parallel, each field written atomically, and an
interrupted build resumes where it stopped.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from baselines.generator.earthquake.simulate import load_simulation, save_simulation, simulate
from baselines.stream.config import BankConfig
from quakebench.errors import QuakebenchError


def field_seed(bank_seed: int, index: int) -> int:
    """The earthquake seed of field ``index`` of a bank."""
    return int(np.random.default_rng([bank_seed, index]).integers(2**31))


def folder_name(pixel_size_m: float, size: int) -> str:
    """``15m-256px``: the folder of a bank's fields of one pixel size and side."""
    return f"{pixel_size_m:g}m-{size}px"


def field_path(folder: Path, index: int) -> Path:
    """The file of field ``index`` in a bank's folder of one pixel size."""
    return folder / f"field-{index:06d}.npz"


def _simulate_field(task: tuple[Path, int, int, float]) -> Path:
    path, seed, size, pixel_size_m = task
    save_simulation(simulate(seed, size, pixel_size_m), path)
    return path


def build_bank(config: BankConfig, progress: bool = True) -> dict[float, Path]:
    """Simulate the bank's missing fields; returns ``{pixel size: folder}``."""
    tasks, folders = [], {}
    for pixel_size_m in config.pixel_sizes_m:
        folder = Path(config.output) / folder_name(pixel_size_m, config.size)
        folder.mkdir(parents=True, exist_ok=True)
        folders[pixel_size_m] = folder
        for index in range(config.num_fields):
            path = field_path(folder, index)
            if not path.exists():
                tasks.append((path, field_seed(config.seed, index), config.size, pixel_size_m))
    total = config.num_fields * len(config.pixel_sizes_m)
    bar = tqdm(total=total, initial=total - len(tasks), unit="field", disable=not progress)
    workers = config.workers or os.cpu_count() or 1
    if tasks:
        # Fresh (spawned) workers read OpenMP's thread count as they load the kernel: one
        # thread each, the pool being the parallelism.
        previous = os.environ.get("OMP_NUM_THREADS")
        os.environ["OMP_NUM_THREADS"] = "1"
        try:
            with ProcessPoolExecutor(workers, multiprocessing.get_context("spawn")) as pool:
                for _ in pool.map(_simulate_field, tasks):
                    bar.update()
        finally:
            if previous is None:
                del os.environ["OMP_NUM_THREADS"]
            else:
                os.environ["OMP_NUM_THREADS"] = previous
    bar.close()
    return folders


@dataclass(frozen=True)
class Field:
    """One banked field: ``displacement_px [2, S, S]``, ``rupture_px [K, 2]``, ``scenario``."""

    displacement_px: np.ndarray
    rupture_px: np.ndarray
    scenario: dict


def load_bank(folder: str | os.PathLike) -> list[Field]:
    """Every field of one bank folder (one pixel size), in index order."""
    paths = sorted(Path(folder).glob("field-*.npz"))
    if not paths:
        raise QuakebenchError(f"{folder}: no field-*.npz in it (build it with quakebench bank)")
    return [Field(*load_simulation(path)) for path in paths]
